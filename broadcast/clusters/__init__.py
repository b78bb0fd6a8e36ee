"""IP loudspeaker clusters: what the station and a cluster's receiver say to each other.

Store and forward, not live streaming: the station sends each cluster its plan and audio
ahead of time over MQTT (Mosquitto) and HTTP, and the cluster plays by its own clock. This
package is the wire contract both ends share, with no knowledge of either end:

- ``signing``: the station's Ed25519 key, and signed envelopes a receiver can check;
- ``messages``: what each message carries, and the receiver's checks (signature, target,
  sequence, expiry) with the reason a message was refused;
- ``topics``: the MQTT topic of each message, per ward and cluster.
- ``mqtt_client``: the MQTT connection both ends use (Paho: QoS 1, persistent session).
"""
