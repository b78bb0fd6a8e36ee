"""Where sound leaves for IP loudspeaker clusters: the station's end of the wire.

The clusters play by their own clock from plans sent ahead (``broadcast.clusters``); the
station's part is a connection to the broker (``mqtt_station``) and an HTTP server that hands
out the audio the published plans name, by hash (``audio_server``). What goes into the plans
is the daemon's (``broadcast.daemon.ip_station``).
"""
