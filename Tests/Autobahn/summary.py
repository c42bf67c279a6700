"""Summarises an Autobahn fuzzingclient report: counts per behavior, lists failures."""
import collections
import json
import sys

path = sys.argv[1]
try:
    index = json.load(open(path))
except (OSError, ValueError) as err:
    print("autobahn: no report at %s (%s)" % (path, err))
    sys.exit(1)

failed = []
for agent, cases in index.items():
    counts = collections.Counter()
    for case_id, result in cases.items():
        behavior = result["behavior"]
        close = result.get("behaviorClose", "OK")
        counts[behavior] += 1
        if behavior == "FAILED" or close == "FAILED":
            failed.append((agent, case_id, behavior, close))
    order = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED"]
    parts = ["%s %d" % (k, counts[k]) for k in order if counts[k]]
    print("autobahn %s: %d cases: %s" % (agent, sum(counts.values()), ", ".join(parts)))
for agent, case_id, behavior, close in sorted(failed):
    print("  FAILED %s (behavior %s, close %s)" % (case_id, behavior, close))
sys.exit(1 if failed else 0)
