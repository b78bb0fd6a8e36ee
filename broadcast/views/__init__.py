"""What the commands and the web console show, built once for both: a script's row of
``check``, its approval state, its chain (``trace``), the plan as a grid, the log's rows.

Below ``web`` and ``cli`` (which only format it: text, JSON, HTML), above the stages it reads.
"""
