"""The daemon: what plays when.

``broadcast run`` builds a ``BroadcastDaemon`` (``daemon.py``) whole, then starts it: the last
good inputs (``inputs.py``), background rendering (``render_ahead.py``), the change watcher
(``watcher.py``), one APScheduler job per planned airing (``airings.py``), the runner of one
airing (``runner.py``), who holds each zone (``air.py``), urgent bulletins (``announcer.py``),
downtime accounting and restarts (``downtime.py``, ``restart.py``), alarms and status
(``alarms.py``, ``status.py``), one daemon per data folder (``instance.py``), a technician's
skip, stop, cancel and zone test (``technician.py``), systemd's notifications
(``notify.py``), rehearsals (``rehearsal.py``); the control channel's commands
(``commands.py``), the daemon's options (``options.py``), what each heartbeat checks
(``beat_checks.py``). Sound leaves through one ``broadcast.sinks.AudioSink``; the daemon
knows nothing about devices or fallbacks.
"""
