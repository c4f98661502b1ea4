#!/usr/bin/env python3
"""Fails when a framework's words appear in the C++: every event type and
field name declared in frameworks/*.yaml is looked for as a string literal in
src/ (tests and their support files excluded). The pathway's meaning lives in the framework files; the
C++ reads declarations and knows no authority's words.

Some words are also the product's own: keys of its JSON (an event's
`agency`, a correction's `reason`, a provenance `source`). They are listed in
scripts/vocabulary_allowed.txt, each with why; any other match fails.

    python3 scripts/check_vocabulary.py [REPO_ROOT]

Prints one line per offending literal and "N passed, M failed".
"""
import os
import re
import sys

import yaml

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
words = {}  # word -> "framework: event/field"
for name in sorted(os.listdir(os.path.join(root, "frameworks"))):
    if not name.endswith(".yaml") or name == "concepts.yaml":
        continue
    with open(os.path.join(root, "frameworks", name)) as f:
        doc = yaml.safe_load(f)
    pathway = doc.get("pathway") or {}
    for t in pathway.get("transitions", []):
        words.setdefault(t["event"], "%s: event %s" % (name, t["event"]))
        for field in (t.get("fields") or {}):
            words.setdefault(field, "%s: field %s of %s" % (name, field, t["event"]))

allowed = {}
with open(os.path.join(root, "scripts", "vocabulary_allowed.txt")) as f:
    for line in f:
        line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
        if not line:
            continue
        word, _, why = line.partition(" ")
        if not why.strip():
            sys.exit("scripts/vocabulary_allowed.txt: '%s' needs a reason" % word)
        allowed[word] = why.strip()

literal = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
failed = passed = 0
for dirpath, _, files in os.walk(os.path.join(root, "src")):
    for fn in sorted(files):
        if not fn.endswith((".cc", ".h")) or fn.endswith(("_test.cc", "_test_util.cc", "_test_util.h")):
            continue
        path = os.path.join(dirpath, fn)
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                code = line.split("//", 1)[0] if not line.lstrip().startswith("//") else ""
                for m in literal.finditer(code):
                    s = m.group(1)
                    if s in words and s not in allowed:
                        print("FAIL: %s:%d: \"%s\" is framework vocabulary (%s)" % (rel, lineno, s, words[s]))
                        failed += 1
                    else:
                        passed += 1
unused = sorted(w for w in allowed if w not in words)
for w in unused:
    print("FAIL: scripts/vocabulary_allowed.txt: '%s' is no framework's word any more; remove it" % w)
    failed += 1
print("vocabulary: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
