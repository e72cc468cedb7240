#!/usr/bin/env python3
"""Prints each failed test of a .trx file with its message and the top of its stack trace."""
import sys
import xml.etree.ElementTree as ET

ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
root = ET.parse(sys.argv[1]).getroot()
failed = [r for r in root.iterfind(".//t:UnitTestResult", ns) if r.get("outcome") == "Failed"]
print(f"==> {len(failed)} failed test(s)")
for result in failed:
    print(f"--- {result.get('testName')} ({result.get('duration')})")
    message = result.findtext(".//t:ErrorInfo/t:Message", default="", namespaces=ns).strip()
    stack = result.findtext(".//t:ErrorInfo/t:StackTrace", default="", namespaces=ns).strip()
    print(message[:4000])
    print("\n".join(stack.splitlines()[:15]))
