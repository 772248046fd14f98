#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""gen.py - what "make trace" does with the traces tests/trace/trace.sh kept.

  gen.py check KERNEL.txt       assert the scenario ran (make trace-quick)
  gen.py excerpt KERNEL.txt     the cleaned per-step graphs, to stdout
  gen.py doc --traces DIR --doc docs/mmap-path.md --svg-dir docs/guide
             [--svg-kernel 6.12-amd64] [--lines 60]
                                replace the generated blocks of the guide,
                                <!-- BEGIN GENERATED: trace STEP --> to
                                <!-- END GENERATED: trace STEP -->, with each
                                kernel's graph of STEP (DIR/*.txt), and draw
                                docs/guide/STEP.svg from the reference kernel

KERNEL.txt holds the guest's VMMAP-TRACE-* lines: KERNEL (uname), PRESENT and
ABSENT (the path's functions this kernel can or cannot trace), NORET (return
probes refused) and, per step, the function_graph buffer between
VMMAP-TRACE-BEGIN STEP and VMMAP-TRACE-END STEP. Only the text between the
markers changes; running it twice gives the same file.
"""
import argparse
import glob
import html
import os
import re
import shutil
import subprocess
import sys

STEPS = ["map", "first-read", "first-write", "msync", "rewrite",
         "private-write", "mremap", "fork", "munmap"]
# The order kernels appear in the guide; others follow, sorted.
KERNEL_ORDER = ["5.10-amd64", "6.1-amd64", "6.12-amd64", "7.2-amd64",
                "7.3-amd64", "6.1-arm64", "6.12-arm64", "6.12-arm64-16k",
                "7.2-arm64-16k"]

# What each step must show (gen.py check): tracepoints that must appear in
# it, that must not, and module functions the graph must hold.
EXPECT = {
    "map": (["vmmap_get_unmapped_area", "vmmap_mmap"], ["vmmap_fault"],
            ["vmmap_get_unmapped_area", "vmmap_mmap"]),
    "first-read": (["vmmap_fault"], ["vmmap_page_mkwrite"], ["vmmap_fault"]),
    "first-write": (["vmmap_page_mkwrite", "vmmap_fault"], [],
                    ["vmmap_page_mkwrite", "vmmap_fault"]),
    "msync": (["vmmap_fsync"], [], ["vmmap_fsync"]),
    "rewrite": (["vmmap_page_mkwrite"], ["vmmap_fault"],
                ["vmmap_page_mkwrite"]),
    "private-write": (["vmmap_mmap", "vmmap_fault"], ["vmmap_page_mkwrite"],
                      ["vmmap_mmap", "vmmap_fault"]),
    "mremap": ([], [], []),
    "fork": (["vmmap_vma_open", "vmmap_vma_close"], [],
             ["vmmap_vma_open", "vmmap_vma_close"]),
    "munmap": (["vmmap_vma_close"], ["vmmap_fault"], ["vmmap_vma_close"]),
}

# Noise of the run, not of the path: scheduling at a cond_resched point,
# interrupt entry and the softirqs run on its exit (funcgraph-irqs off
# hides the handler, not these).
DROP = {"irq_enter_rcu", "irq_exit_rcu", "idle_cpu", "irq_enter", "irq_exit",
        "handle_softirqs", "__do_softirq", "do_softirq", "__irq_exit_rcu",
        "do_softirq_own_stack"}
COLLAPSE = {"__cond_resched", "_cond_resched", "schedule",
            "preempt_schedule", "preempt_schedule_common",
            "preempt_schedule_irq"}
# Calls shown only by the events inside them: arm64's kprobes enter
# through a BRK exception, and there a tracepoint's iterator is a call.
LIFT = {"do_el1_brk64", "el1_brk64", "brk_handler", "call_el1_break_hook"}
FAULT_ROOTS = {"handle_mm_fault", "__handle_mm_fault"}

RET_RE = re.compile(r"^(\S+): \(.* <- (\S+)\) ret=(\S+)$")
EVENT_RE = re.compile(r"^(vmmap_\w+): ")
MARK_RE = re.compile(r"^vmmap-trace (\S+): (.*)$")


class Node:
    __slots__ = ("name", "comment", "children", "ret", "hidden")

    def __init__(self, name=None, comment=None):
        self.name = name          # a function, or None for a comment
        self.comment = comment
        self.children = []
        self.ret = None
        self.hidden = 0           # children left out when trimmed

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


def read_trace(path):
    """The VMMAP-TRACE-* header lines and each step's lines."""
    info = {"kernel": os.path.basename(path)[:-len(".txt")], "uname": "",
            "present": [], "absent": [], "noret": [], "refused": [],
            "steps": {}}
    step = None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if step is not None:
                if line == "VMMAP-TRACE-END " + step:
                    step = None
                else:
                    info["steps"][step].append(line)
                continue
            word, _, rest = line.partition(" ")
            if word == "VMMAP-TRACE-BEGIN":
                step = rest
                info["steps"][step] = []
            elif word == "VMMAP-TRACE-KERNEL":
                info["uname"] = rest
            elif word in ("VMMAP-TRACE-PRESENT", "VMMAP-TRACE-ABSENT",
                          "VMMAP-TRACE-NORET"):
                info[word[len("VMMAP-TRACE-"):].lower()] = rest.split()
            elif word == "VMMAP-TRACE-REFUSED":
                info["refused"].append(rest)
    return info


def parse(lines, step):
    """The call forest between the step's begin and end markers."""
    root = Node("")
    stack = [root]
    inside = False
    for raw in lines:
        s = raw.strip()
        if s.startswith("/*") and s.endswith("*/"):
            text = s[2:-2].strip()
            m = MARK_RE.match(text)
            if m and m.group(1) == step:
                if m.group(2) == "begin":
                    inside = True
                    stack = [root]
                    continue
                if m.group(2) == "end":
                    break
            if inside:
                stack[-1].children.append(Node(comment=text))
            continue
        if not inside or not s or s.startswith("#") or s.startswith("---") \
                or s.startswith("=>"):
            continue
        if s.startswith("}"):
            if len(stack) > 1:
                stack.pop()
            continue
        m = re.match(r"^(.+?)\(\) (\{|;)?", s + " ")
        if not m:
            continue
        n = Node(m.group(1))
        stack[-1].children.append(n)
        if s.endswith("{"):
            stack.append(n)
    clean(root)
    return root


def has_vmmap(n):
    return any((x.name or "").startswith("vmmap_") or
               (x.comment and EVENT_RE.match(x.comment)) for x in n.walk())


def clean(node):
    """Return probes onto their function, noise out (see DROP/COLLAPSE)."""
    kids = []
    for c in node.children:
        if c.name is not None and (c.name in LIFT or c.name.startswith("__traceiter_")):
            kids += [x for x in c.walk() if x.comment is not None]
        else:
            kids.append(c)
    kept = []
    for c in kids:
        if c.comment is not None:
            m = RET_RE.match(c.comment)
            if m and m.group(2) == (node.name or "").split(" ")[0] and \
                    node.ret is None:
                node.ret = m.group(3)
                continue
            # 5.10's kretprobe trampoline fires after the graph's return
            if m and kept and kept[-1].name and kept[-1].ret is None and \
                    kept[-1].name.split(" ")[0] == m.group(2):
                kept[-1].ret = m.group(3)
                continue
            if m:       # a function whose graph was not traced
                c.comment = "%s returned %s" % (m.group(2), m.group(3))
            kept.append(c)
            continue
        if c.name in DROP:
            continue
        if c.name in COLLAPSE:
            c.children = [x for x in c.children if x.comment is not None]
        clean(c)
        kept.append(c)
    node.children = kept


def key(n):
    return (n.name, n.comment, n.ret, n.hidden, tuple(key(c) for c in n.children))


def render(node, important, limit, depth=0, out=None):
    """Lines of the forest; calls deeper than limit that hold nothing
    important are shown closed, identical sibling runs once with xN."""
    if out is None:
        out = []
    kids = node.children
    i = 0
    while i < len(kids):
        c = kids[i]
        j = i + 1
        while j < len(kids) and key(kids[j]) == key(c):
            j += 1
        times = " /* x%d */" % (j - i) if j - i > 1 else ""
        pad = "  " * depth
        if c.comment is not None:
            out.append("%s/* %s */%s" % (pad, c.comment, times))
        else:
            ret = " = %s" % c.ret if c.ret else ""
            deep = depth + 1 >= limit and not important(c)
            if not c.children or deep:
                body = "() { ... }" if c.children else "();"
                out.append("%s%s%s%s%s" % (pad, c.name, body,
                           ret and " /*%s */" % ret, times))
            else:
                out.append("%s%s() {%s" % (pad, c.name, times))
                render(c, important, limit, depth + 1, out)
                out.append("%s}%s" % (pad, ret and " /* %s%s */" % (c.name.split(" ")[0], ret)))
        i = j
    return out


def step_forest(info, step):
    """The step's forest, faults that never reached vmmap left out."""
    root = parse(info["steps"].get(step, []), step)
    kept, other, retry = [], 0, False
    for c in root.children:
        if c.name in FAULT_ROOTS and not has_vmmap(c) and not retry:
            other += 1
            continue
        kept.append(c)
        # a fault that returned VM_FAULT_RETRY (0x400) is taken again
        retry = c.name in FAULT_ROOTS and c.ret is not None and \
            c.ret.startswith("0x") and int(c.ret, 16) & 0x400 != 0
    root.children = kept
    return root, other


def important_fn(info):
    path = set(info["present"])

    def important(n):
        for x in n.walk():
            if x is n:
                continue
            if x.comment is not None and EVENT_RE.match(x.comment):
                return True
            if x.name and (x.name.startswith("vmmap_") or
                           x.name.split(" ")[0] in path):
                return True
        return False
    return important


def excerpt(info, step, budget):
    root, other = step_forest(info, step)
    important = important_fn(info)
    lines = []
    for limit in range(40, 0, -1):
        lines = render(root, important, limit)
        if len(lines) <= budget:
            break
    if len(lines) > budget:
        cut = len(lines) - (budget - 1)
        lines = lines[:budget - 1] + ["... (%d more lines: build/trace/%s.txt)"
                                      % (cut, info["kernel"])]
    if other:
        lines.append("/* and %d fault%s on the process's own memory, not the "
                     "device's, left out */" % (other, "s" if other > 1 else ""))
    return lines


def cmd_check(args):
    info = read_trace(args.trace)
    errs = []
    for step in STEPS:
        if step not in info["steps"]:
            errs.append("%s: no VMMAP-TRACE-BEGIN/END block" % step)
            continue
        text = "\n".join(info["steps"][step])
        for edge in ("begin", "end"):
            if "/* vmmap-trace %s: %s */" % (step, edge) not in text:
                errs.append("%s: no trace_marker '%s'" % (step, edge))
        root = parse(info["steps"][step], step)
        events = {m.group(1) for n in root.walk() if n.comment
                  for m in [EVENT_RE.match(n.comment)] if m}
        funcs = {n.name.split(" ")[0] for n in root.walk() if n.name}
        want, unwanted, handlers = EXPECT[step]
        for e in want:
            if e not in events:
                errs.append("%s: no %s tracepoint" % (step, e))
        for e in unwanted:
            if e in events:
                errs.append("%s: a %s tracepoint, which this step must not cause"
                            % (step, e))
        for h in handlers:
            if h not in funcs:
                errs.append("%s: %s() is not in the graph" % (step, h))
    for e in errs:
        print("gen.py: %s: %s" % (info["kernel"], e), file=sys.stderr)
    return 1 if errs else 0


def cmd_excerpt(args):
    info = read_trace(args.trace)
    print("# %s (%s): the path's functions absent: %s" %
          (info["kernel"], info["uname"], " ".join(info["absent"]) or "none"))
    for step in STEPS:
        print("\n== %s" % step)
        print("\n".join(excerpt(info, step, args.lines)))
    return 0


def kernels_in(traces):
    names = [os.path.basename(p)[:-4] for p in glob.glob(os.path.join(traces, "*.txt"))
             if not p.endswith(".steps.txt")]
    names = [n for n in names if re.match(r"^[0-9][\w.+-]*$", n)]
    order = {k: i for i, k in enumerate(KERNEL_ORDER)}
    return sorted(names, key=lambda k: (order.get(k, len(order)), k))


def block(step, infos, svg_rel, budget):
    out = ["<!-- generated by make trace (tests/trace/gen.py); do not edit -->", ""]
    if svg_rel:
        out += ["![call graph of %s on %s](%s)" % (step, svg_rel[1], svg_rel[0]), ""]
    for info in infos:
        out += ["<details><summary>%s</summary>" % info["kernel"], "",
                "Linux %s:" % info["uname"], "", "```text"]
        out += excerpt(info, step, budget)
        out += ["```", ""]
        absent = info["absent"]
        out.append("Not traceable on %s (inlined, renamed or not in this kernel): %s." %
                   (info["kernel"], ", ".join(absent) if absent else "none"))
        if info["noret"]:
            out.append("No return probe on: %s." % ", ".join(info["noret"]))
        out += ["", "</details>", ""]
    return out


def replace_blocks(text, blocks):
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^<!-- BEGIN GENERATED: trace (\S+) -->$", line)
        if not m or m.group(1) not in blocks:
            out.append(line)
            i += 1
            continue
        end = "<!-- END GENERATED: trace %s -->" % m.group(1)
        j = i + 1
        while j < len(lines) and lines[j] != end:
            j += 1
        if j == len(lines):
            raise SystemExit("gen.py: no '%s' after line %d" % (end, i + 1))
        out.append(line)
        out += blocks[m.group(1)]
        out.append(end)
        i = j + 1
    return "\n".join(out)


# The diagram: the functions of the path and the module, what the module
# calls, and the tracepoints, from the reference kernel's forest.
def diagram_tree(info, step):
    root, _ = step_forest(info, step)
    important = important_fn(info)
    path = set(info["present"])

    def keep(n, parent):
        if n.comment is not None:
            return EVENT_RE.match(n.comment) is not None
        name = n.name.split(" ")[0]
        if name in COLLAPSE:
            return False
        return (name.startswith("vmmap_") or name in path or important(n) or
                (parent or "").startswith("vmmap_"))

    def prune(n):
        n.children = [c for c in n.children
                      if keep(c, (n.name or "").split(" ")[0])]
        for c in n.children:
            prune(c)
        return n
    return prune(root)


def dot_source(step, kernel, tree):
    lines = ["digraph \"%s\" {" % step,
             '  graph [rankdir=LR, ordering=out, fontname="monospace", fontsize=11,'
             ' label="%s on %s (make trace)", labelloc=t];' % (step, kernel),
             '  node [shape=box, fontname="monospace", fontsize=10, height=0.2];',
             '  edge [arrowsize=0.6];']
    ids = {}
    edges = {}
    notes = []

    def nid(name):
        if name not in ids:
            ids[name] = "n%d" % len(ids)
        return ids[name]

    labels = {}

    def visit(n, parent):
        for c in n.children:
            if c.comment is not None:
                notes.append((parent, c.comment))
                continue
            name = c.name.split(" ")[0]
            i = nid(name)
            labels.setdefault(i, (name, []))
            if c.ret and c.ret not in labels[i][1]:
                labels[i][1].append(c.ret)
            if parent is not None:
                e = (nid(parent), i)
                edges[e] = edges.get(e, 0) + 1
            visit(c, name)
    visit(tree, None)
    for i, (name, rets) in sorted(labels.items(), key=lambda x: int(x[0][1:])):
        lab = name + ("\\n= %s" % ", ".join(rets) if rets else "")
        style = ', style=filled, fillcolor="#cfe2f3"' if name.startswith("vmmap_") else ""
        lines.append('  %s [label="%s"%s];' % (i, lab, style))
    for (a, b), count in edges.items():
        lab = ' [label="x%d"]' % count if count > 1 else ""
        lines.append("  %s -> %s%s;" % (a, b, lab))
    for k, (parent, text) in enumerate(notes):
        t = text.replace('"', "'")
        lines.append('  e%d [shape=note, style=filled, fillcolor="#fff2cc", label="%s"];'
                     % (k, t))
        if parent is not None:
            lines.append("  %s -> e%d [style=dashed, arrowhead=none];" % (nid(parent), k))
    lines.append("}")
    return "\n".join(lines) + "\n"


def svg_outline(step, kernel, tree):
    """Without graphviz: the same tree as an outline, one box a row."""
    rows = []

    def visit(n, depth):
        for c in n.children:
            if c.comment is not None:
                rows.append((depth, c.comment, "event"))
                continue
            name = c.name.split(" ")[0]
            lab = name + (" = %s" % c.ret if c.ret else "")
            rows.append((depth, lab, "vmmap" if name.startswith("vmmap_") else "fn"))
            visit(c, depth + 1)
    visit(tree, 0)
    cw, rh, ind, top = 7, 22, 18, 30
    width = max([d * ind + len(t) * cw + 30 for d, t, _ in rows] + [400])
    height = top + rh * len(rows) + 10
    fill = {"fn": "#ffffff", "vmmap": "#cfe2f3", "event": "#fff2cc"}
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="monospace" font-size="12">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="18" font-weight="bold">%s</text>' %
           html.escape("%s on %s (make trace)" % (step, kernel))]
    last = {}
    for r, (d, text, kind) in enumerate(rows):
        x, y = 10 + d * ind, top + r * rh
        if d > 0 and d - 1 in last:
            px, py = last[d - 1]
            out.append('<path d="M%d %d V%d H%d" fill="none" stroke="#888"/>'
                       % (px + 6, py + 16, y + 8, x))
        out.append('<rect x="%d" y="%d" width="%d" height="16" fill="%s" stroke="#666"%s/>'
                   % (x, y, len(text) * cw + 8, fill[kind],
                      ' stroke-dasharray="3,2"' if kind == "event" else ""))
        out.append('<text x="%d" y="%d">%s</text>' % (x + 4, y + 12, html.escape(text)))
        last[d] = (x, y)
        for k in [k for k in last if k > d]:
            del last[k]
    out.append("</svg>")
    return "\n".join(out) + "\n"


def draw(step, info, svg_dir):
    tree = diagram_tree(info, step)
    path = os.path.join(svg_dir, step + ".svg")
    if shutil.which("dot"):
        src = dot_source(step, info["kernel"], tree)
        svg = subprocess.run(["dot", "-Tsvg"], input=src, capture_output=True,
                             text=True, check=True).stdout
    else:
        svg = svg_outline(step, info["kernel"], tree)
    with open(path, "w") as f:
        f.write(svg)


def cmd_doc(args):
    kernels = kernels_in(args.traces)
    if not kernels:
        raise SystemExit("gen.py: no traces in %s" % args.traces)
    infos = [read_trace(os.path.join(args.traces, k + ".txt")) for k in kernels]
    ref = next((i for i in infos if i["kernel"] == args.svg_kernel), None)
    if ref is None:
        print("gen.py: no trace of %s: diagrams not redrawn" % args.svg_kernel,
              file=sys.stderr)
    elif not shutil.which("dot"):
        print("gen.py: no graphviz dot: diagrams drawn as outlines "
              "(Debian package graphviz)", file=sys.stderr)
    doc_dir = os.path.dirname(os.path.abspath(args.doc))
    blocks = {}
    for step in STEPS:
        svg_rel = None
        if ref is not None:
            os.makedirs(args.svg_dir, exist_ok=True)
            draw(step, ref, args.svg_dir)
        svg = os.path.join(args.svg_dir, step + ".svg")
        if os.path.exists(svg):
            svg_rel = (os.path.relpath(svg, doc_dir), args.svg_kernel)
        blocks[step] = block(step, infos, svg_rel, args.lines)
    with open(args.doc) as f:
        text = f.read()
    new = replace_blocks(text, blocks)
    if new != text:
        with open(args.doc, "w") as f:
            f.write(new)
        print("gen.py: updated %s (%s)" % (args.doc, " ".join(kernels)), file=sys.stderr)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("check")
    p.add_argument("trace")
    p = sub.add_parser("excerpt")
    p.add_argument("trace")
    p.add_argument("--lines", type=int, default=60)
    p = sub.add_parser("doc")
    p.add_argument("--traces", required=True)
    p.add_argument("--doc", required=True)
    p.add_argument("--svg-dir", required=True)
    p.add_argument("--svg-kernel", default="6.12-amd64")
    p.add_argument("--lines", type=int, default=60)
    args = ap.parse_args()
    return {"check": cmd_check, "excerpt": cmd_excerpt, "doc": cmd_doc}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
