"""``broadcast receiver``: the program on an IP loudspeaker cluster's box.

Store and forward: the station sends the cluster its signed plan (retained, over MQTT) and the
audio by hash (over HTTP) ahead of time; the receiver keeps both on disk and plays each entry
at its second by its own clock, whether or not the link is up then. One job per module:

- ``settings``: ``receiver.yaml``, checked with file and line;
- ``store``: the last accepted signed plan (its bytes, checked again at start), the last
  accepted ``seq`` of each kind, the entries already handled, the rows acknowledged;
- ``fetch``: audio by hash over HTTP, resumable, checked, in a content-addressed cache;
  ``downloads``: what the plan needs, fetched soonest first, retried;
- ``player``: plays entries at their second through a sink, one play-log row each
  (``plan_cursor``: the plan and what is handled; ``plays``: a sound and its row;
  ``bulletins``: urgent bulletins, the priority ones waiting for a gap);
- ``uplink``: heartbeats, as-played rows until acknowledged, refused messages;
  ``host``: the box's clock offset (chrony) and modem signal (ModemManager), if told;
- ``mqtt_link``: the MQTT client (paho), behind a small Protocol; ``tls``: a ward's own CA;
- ``runner``: ``Receiver``, the whole of one cluster, startable many times in one process
  (``worker``: its background threads).
"""
