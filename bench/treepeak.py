#!/usr/bin/env python3
"""Run a command and report the peak of the summed RSS of its whole process tree (the command and every
descendant), sampled from /proc every INTERVAL seconds (default 0.02).
Usage: treepeak.py CMD [ARG...]   ->  prints "PEAK_KB EXIT_STATUS" on stdout; the command's output goes to /dev/null.

/usr/bin/time's %M is the peak of the largest single process only, which under-counts a run that forks
workers (vitest runs test files in a child process). The sum here counts pages shared between the
processes once per process, and a peak shorter than one interval can be missed: it is an approximation."""
import os, subprocess, sys, time

interval = float(os.environ.get("INTERVAL", "0.02"))
page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak = 0
while proc.poll() is None:
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
    total, stack = 0, [proc.pid]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * page_kb
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(children.get(pid, []))
    peak = max(peak, total)
    time.sleep(interval)
print(peak, proc.returncode)
