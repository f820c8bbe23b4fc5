"""The summary of a `make scan` run, from its reports under var/scan/ (scripts/scan.sh runs it at the end).

python scripts/scan_summary.py var/scan SECONDS
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def _sqlmap_verdict(text: str) -> str:
    """sqlmap's own final word: an injection point it identified, or the parameters it cleared."""
    if "identified the following injection point" in text:
        found = sorted(set(re.findall(r"^Parameter: (\S+) \((?:GET|POST)\)", text, re.MULTILINE)))
        return "INJECTABLE: " + ", ".join(found)
    cleared = sorted(set(re.findall(r"parameter '([^']+)' does not seem to be injectable", text)))
    # A heuristic "appears to be injectable" that sqlmap then rejected on its false-positive check is not a finding.
    rejected = sorted(set(re.findall(r"parameter '([^']+)' appears to be .* injectable", text)) & set(cleared))
    verdict = "no injectable parameter" + (f" (cleared: {', '.join(cleared)})" if cleared else "")
    if rejected:
        verdict += f"; heuristic hits rejected by sqlmap's own false-positive check: {', '.join(rejected)}"
    if "all tested parameters do not appear to be injectable" not in text:
        verdict += "; time bound reached before every parameter was tested"
    return verdict


def main(out: Path, total: int) -> None:
    stats = [line.split("\t") for line in (out / "stats.tsv").read_text().splitlines()]
    requests = {row[0]: row[1] for row in stats}
    seconds = {row[0]: row[2] for row in stats}
    log = (out / "server.log").read_text(errors="replace").splitlines()
    handled = sum(1 for line in log if re.search(r'"[A-Z]+ \S+ HTTP/[0-9.]+" \d{3} ', line))
    print(f"make scan: {handled} requests answered by the instance in {total} s")
    for report in sorted(out.glob("wapiti-*.json")):
        name = report.stem
        data = json.loads(report.read_text())
        print(f"\n{name}: {requests.get(name, '?')} requests, {seconds.get(name, '?')} s")
        for section in ("vulnerabilities", "anomalies"):
            found = {kind: len(items) for kind, items in data.get(section, {}).items() if items}
            print(f"  {section}: " + (", ".join(f"{k}: {n}" for k, n in sorted(found.items())) or "none"))
            for kind, items in sorted(data.get(section, {}).items()):
                for item in items[:10]:
                    print(f"    - {kind}: {item.get('method')} {item.get('path')} | {item.get('info', '')[:110]}")
    for sqlmap_log in sorted(out.glob("sqlmap-*.log")):
        name = sqlmap_log.stem
        verdict = _sqlmap_verdict(sqlmap_log.read_text(errors="replace"))
        print(f"\n{name}: {requests.get(name, '?')} requests, {seconds.get(name, '?')} s: {verdict}")
    errors = sum(1 for line in log if re.search(r'" 5\d\d ', line))
    print(f"\nserver errors (5xx) in the instance's log: {errors}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
