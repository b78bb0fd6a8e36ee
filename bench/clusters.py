"""IP loudspeaker clusters at a province's scale: one station, N clusters, a real Mosquitto.

What runs, all on this machine's loopback:

- a real Mosquitto (``tests/support/mosquitto.py``) with the password file and ACL the station
  generates: every cluster is registered by ``broadcast clusters add ID --name … --zone …``
  (the CLI's own entry point, in this process), which writes the registry, the broker's
  files and each box's ``receiver.yaml``;
- the station: the real daemon (``BroadcastDaemon`` on WAV files for its one wired zone) with
  its IP side (``IpStation``: plans signed and published retained, the audio server over HTTP,
  as-played rows ingested into its play log and acknowledged), its scripts rendered by espeak-ng;
  the IP zones (20 at most) share the ward's slots; its link is wrapped only to note when each
  message was handed to Paho;
- the clusters: REAL receivers (``broadcast.receiver.runner.Receiver``) in ``--processes``
  worker processes (bench/_cluster_worker.py; one per ``PER_PROCESS`` = 50 receivers unless
  asked, at least one per ``MAX_PER_PROCESS`` = 100 receivers, Paho's select() limit, see
  below), each receiver reading the ``receiver.yaml`` made for it, with its own data folder (on
  tmpfs, ``--boxes-dir``: a box has its own SD card, and 2,000 logs on this one disk would
  measure its fsync queue), its own MQTT session and a sink that records when each play's first
  sample is due and when a thread woke for it (no sound); each worker opens its plays with a
  lead of its own, 3–10 s (``_cluster_workers.LEAD_SPREAD_SECONDS``: 2,000 boxes preparing at
  one second on two shared cores were tens of seconds late; the first sample's instant does not
  depend on the lead).
  Clocks are equal (the system clock plus one offset the bench moves forward to bring a slot
  near, as on the end-to-end test).

Figures (each printed with where it is measured and its target):

1. plans: the station's first plan publish → every receiver has accepted its signed plan
   (checked, saved), and → every receiver has fetched its audio over HTTP (hash checked);
   1b. at rest: the receivers' CPU a second with nothing due and nothing sent (the floor);
2. urgent bulletin: ``IpStation.announce`` called → the instant each receiver's player set
   for the bulletin's first sample (and when a thread woke for it), p50/p99/max (p99 ≤ 2 s);
3. spread of one scheduled slot's start across all receivers at equal clocks (≤ 20 ms);
4. as-played rows stored per second in the station's play log (``IpStation.ingest``), and the
   backlog of ``--offline`` receivers (a quarter) whose link was down for 24 h by their clock
   (the day's slots played with the link down), then reconnected: rows lost, duplicated;
5. the broker stopped shortly before a slot and started again after it: slots missed.

Each phase ends with the CPU it took (the receivers' processes, the station, the broker): the
simulated boxes share this machine's cores, which bounds every latency from below.

The parts: ``_cluster_setup.py`` (the ward, its clusters registered, the broker, the
receivers started; what the phases share), ``_cluster_workers.py`` (the worker processes and
the station's timed link), ``_cluster_phases.py`` (each phase below), ``_cluster_figures.py``
(quantiles, the printed lines, the station's log read back); the receivers' side,
``_cluster_worker.py``.

It asserts nothing; the exit status is non-zero only for a broken run (a phase that never
completed). Linux only (/proc). Run from the project root:

    .venv/bin/python -m bench.clusters [--clusters 2000] [--processes N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench._cluster_figures import line
from bench._cluster_phases import Bench
from bench._cluster_setup import BOXES_DIR
from bench._cluster_workers import MAX_PER_PROCESS, PER_PROCESS


def phase_cpu(bench: Bench, run: Callable[[], None]) -> None:
    """Run one phase and say what CPU it took: 2,000 simulated boxes share this machine's
    cores, so a latency figure is bounded below by the receivers' CPU over the cores."""
    before, started = bench.cpu(), time.monotonic()
    run()
    spent, wall = bench.cpu_spent(before), time.monotonic() - started
    each = 1000 * spent["receivers"] / bench.n
    line(
        "CPU in this phase (wall " + f"{wall:.0f} s, {os.cpu_count()} cores)",
        f"receivers {spent['receivers']:.1f} s ({each:.1f} ms each), station "
        f"{spent['station']:.1f} s, broker {spent['broker']:.1f} s",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clusters", type=int, default=2000)
    parser.add_argument(
        "--processes",
        type=int,
        default=0,
        help=f"default: one per {PER_PROCESS} receivers; at least clusters/{MAX_PER_PROCESS}",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--boxes-dir",
        type=Path,
        default=BOXES_DIR,
        help="where the boxes' data folders go (default: tmpfs, one disk per box in life)",
    )
    args = parser.parse_args(argv)
    bench = Bench(args)
    print(
        f"{bench.n} clusters in {len(bench.zones)} IP zones, {bench.processes} worker "
        f"processes, {os.cpu_count()} cores; files in {bench.root}, the boxes' in {bench.boxes}"
    )
    try:
        bench.project()
        phase_cpu(bench, bench.start_receivers)
        phase_cpu(bench, bench.deliver_plans)
        bench.at_rest()
        # the bulletin first: at equal clocks with the station (a `now` lives 5 min)
        phase_cpu(bench, bench.bulletin)
        phase_cpu(bench, bench.slot_spread)
        phase_cpu(bench, bench.broker_restart)
        phase_cpu(bench, lambda: bench.backlog(max(1, round(bench.processes / 4))))
        bench.check_all_rows()
    except TimeoutError as exc:
        print(f"\nbroken run: {exc}", file=sys.stderr)
        return 1
    finally:
        bench.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
