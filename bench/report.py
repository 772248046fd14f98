#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report.py - the host half of "make bench": read the JSON lines vmmap-bench
printed on the guest console, compute the statistics (medians, [min..max],
paired speed ratios against the baseline measured in the same boot), judge
the targets, and write the table, a JSON file with every figure, the plot
data and PNG (gnuplot) and, with --doc, this kernel's section of
docs/benchmarks.md.

Usage: bench/report.py --kernel KERNEL --out DIR [--name NAME] [--doc FILE]
                       [--guest-args ARGS] [--append OPTS] LOG [LOG...]
  LOG: console logs; the first one holding the run's "end" record is read,
       else the last one holding any record
  writes DIR/NAME.txt (the table, also on stdout), DIR/NAME.json,
  DIR/NAME.dat and DIR/NAME.png (if gnuplot is there); NAME defaults to
  KERNEL. Exits 1 if no log holds results. Missed targets are reported,
  never fatal.
"""
import argparse
import datetime
import json
import math
import os
import re
import shutil
import subprocess
import sys

NAN = float("nan")
H1, H0 = "vmmap huge=1", "vmmap huge=0"
HUGE_BACKENDS = [H1, H0, "shmem", "shmem always", "tmpfs huge=always",
                 "anon THP", "anon"]
FIELDS = ["ns", "minflt", "fault", "map_pages", "mkwrite", "cleaned", "pmd_kb"]


# ------------------------------------------------------------------ input

def read_records(path):
    recs = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                i = line.find('{"rec":')
                if i < 0:
                    continue
                try:
                    recs.append(json.loads(line[i:]))
                except ValueError:
                    print("report.py: %s: skipping a garbled line" % path,
                          file=sys.stderr)
    except OSError:
        pass
    return recs


def pick_log(paths):
    best = []
    for p in paths:
        recs = read_records(p)
        if any(r["rec"] == "end" for r in recs):
            return recs
        if recs:
            best = recs
    return best


class Result:
    def __init__(self, rec):
        self.id, self.var = rec["case"], rec["variant"]
        self.backend, self.title = rec["backend"], rec["title"]
        self.why = ""
        self.unit, self.units, self.pages, self.bytes = "", 0, 0, 0
        self.v = {k: [] for k in FIELDS}

    @property
    def n(self):
        return len(self.v["ns"])

    def add(self, s):
        self.unit, self.units = s["unit"], s["units"]
        self.pages, self.bytes = s["pages"], s["bytes"]
        for k in FIELDS:
            self.v[k].append(s.get(k, -1))


# ------------------------------------------------------------------ statistics

def div(a, b):
    if b == 0:
        return NAN if a == 0 or math.isnan(a) else math.copysign(math.inf, a)
    return a / b


def quantile(v, q):
    """Quantile q (0..1), linear interpolation; NaN if v is empty."""
    if not v or any(x is None or math.isnan(x) for x in v):
        return NAN
    s = sorted(v)
    pos = q * (len(s) - 1)
    i = int(pos)
    if i + 1 >= len(s):
        return s[-1]
    return s[i] + (pos - i) * (s[i + 1] - s[i])


def med(v):
    return quantile(v, 0.5)


def ok(r):
    return r is not None and r.n > 0 and not r.why


def us_per_unit(r):
    return div(med(r.v["ns"]), r.units) / 1e3 if ok(r) else NAN


def mib_s(r):
    if not ok(r) or r.bytes <= 0:
        return NAN
    return r.bytes / (1 << 20) / (med(r.v["ns"]) / 1e9)


def per_page(r, field):
    return div(med(r.v[field]), r.pages) if ok(r) and r.pages > 0 else NAN


def median_ratio(a, b):
    """Speed ratio of medians, a over b: t_b / t_a per unit."""
    if not ok(a) or not ok(b):
        return NAN
    return div(div(med(b.v["ns"]), b.units), div(med(a.v["ns"]), a.units))


def paired_ratio(a, b, q=0.5):
    """
    Quantile q of the paired speed ratios a over b: run i of each case ran
    back to back in repetition i, so t_b[i] / t_a[i] cancels the emulator's
    drift and the host's other tenants. The ratio of medians if the two
    have different numbers of runs.
    """
    if not ok(a) or not ok(b):
        return NAN
    if a.n != b.n:
        return median_ratio(a, b)
    return quantile([div(div(tb, b.units), div(ta, a.units))
                     for ta, tb in zip(a.v["ns"], b.v["ns"])], q)


def finite(o):
    """@o with NaN and infinities as None: JSON has no such numbers."""
    if isinstance(o, dict):
        return {k: finite(v) for k, v in o.items()}
    if isinstance(o, list):
        return [finite(v) for v in o]
    if isinstance(o, float) and not math.isfinite(o):
        return None
    return o


def fmt(v, f):
    return "n/a" if v is None or math.isnan(v) else f % v


# ------------------------------------------------------------------ the run

class Run:
    def __init__(self, recs):
        self.meta = next((r for r in recs if r["rec"] == "meta"), None)
        self.results = {}
        self.memcheck = None
        self.mem = {}
        self.seconds = None
        for r in recs:
            kind = r["rec"]
            if kind in ("sample", "na"):
                key = (r["case"], r["variant"], r["backend"])
                res = self.results.setdefault(key, Result(r))
                if kind == "na":
                    res.why = res.why or r["why"]
                else:
                    res.add(r)
            elif kind == "memcheck":
                self.memcheck = r
            elif kind == "mem":
                self.mem.setdefault(r["backend"], []).append(r)
            elif kind == "end":
                self.seconds = r["seconds"]
        m = self.meta
        self.ps, self.pmd = m["page_size"], m["pmd_size"]
        self.fa_var, self.fa1_var = m["fa_var"], m["fa1_var"]
        self.rw_var = "buf=%dK" % (m["rw_buf"] >> 10)
        self.targets = []

    def find(self, cid, var, backend):
        return self.results.get((cid, var, backend))

    def group(self, prefix):
        return [r for r in self.results.values() if r.id.startswith(prefix)]

    def mem_rows(self):
        """Per backend: the per-run bytes per touched page of each column."""
        ps = self.ps
        rows = []
        for bk, runs in self.mem.items():
            cols = {k: [] for k in ("free", "memfree", "pt", "xa", "unev",
                                    "shmem", "cached", "back")}
            for m in runs:
                kb = 1024.0 / m["pages"]
                cols["free"].append(m["free_pages_drop"] * ps / m["pages"])
                cols["memfree"].append(m["memfree_kb_drop"] * kb)
                cols["pt"].append(m["pagetables_kb"] * kb)
                cols["unev"].append(m["unevictable_kb"] * kb)
                cols["shmem"].append(m["shmem_kb"] * kb)
                cols["cached"].append(m["cached_kb"] * kb)
                cols["back"].append(m["free_pages_back"] * ps / m["pages"])
                cols["xa"].append(NAN if m["xa_objs"] is None else
                                  m["xa_objs"] * m["xa_objsize"] / m["pages"])
            rows.append((bk, runs[0]["pages"], len(runs), cols))
        return rows

    def xa_objsize(self):
        sizes = [m["xa_objsize"] for runs in self.mem.values() for m in runs
                 if m["xa_objsize"] is not None]
        return sizes[-1] if sizes else -1

    # -------------------------------------------------------------- targets

    def target(self, name, want, holds, measured):
        status = "n/a" if holds is None else "holds" if holds else "MISSES"
        self.targets.append({"name": name, "want": want,
                             "measured": measured, "status": status})

    def ratio_target(self, name, want, a, b, limit):
        r = paired_ratio(a, b)
        self.target(name, want, None if math.isnan(r) else r >= limit,
                    "%.2fx (IQR %.2f..%.2f)" % (r, paired_ratio(a, b, 0.25),
                                                paired_ratio(a, b, 0.75)))

    def judge(self):
        m, fa = self.meta, self.fa_var
        for cid, name in (("seq_read_cold", "seq first-touch read, not resident"),
                          ("seq_read_warm", "seq first-touch read, resident")):
            v, s = self.find(cid, fa, "vmmap"), self.find(cid, fa, "shmem")
            self.ratio_target("%s: speed vs shmem" % name, ">= 1.00x", v, s, 1.0)
            fv, fs = per_page(v, "minflt"), per_page(s, "minflt")
            self.target("%s: faults/page vs shmem" % name, "<= shmem",
                        None if math.isnan(fv) or math.isnan(fs)
                        else fv <= fs + 1e-9, "%.3f vs %.3f" % (fv, fs))
        for cid, what in (("seq_write_cold", "not resident"),
                          ("seq_write_resident", "resident")):
            self.ratio_target("first write (page_mkwrite), %s, vs shmem" % what,
                              ">= 0.90x", self.find(cid, fa, "vmmap"),
                              self.find(cid, fa, "shmem"), 0.9)
        for cid, name in (("read_resident", "read() resident"),
                          ("read_hole", "read() of holes"),
                          ("write_new", "write() allocating"),
                          ("write_resident", "write() overwrite")):
            self.ratio_target("%s vs tmpfs" % name, ">= 0.90x",
                              self.find(cid, self.rw_var, "vmmap"),
                              self.find(cid, self.rw_var, "shmem"), 0.9)

        # fsync: grows with d at n0; flat in n at d0. Judged on the fastest
        # run of each point: the n sweep cannot alternate (the driver has one
        # object, populated anew for each n), and the host's other tenants
        # only ever add time.
        n0, d0 = m["fsync_n0"], m["fsync_d0"]
        pts = []
        for d in m["fsync_d"]:
            r = self.find("fsync", "n=%d d=%d" % (n0, d), "vmmap")
            if ok(r):
                pts.append((d, quantile(r.v["ns"], 0)))
        name = "fsync grows with dirty pages d (n fixed; min of runs)"
        if len(pts) >= 2:
            mono = all(t >= 0.9 * pt for (_, pt), (_, t) in zip(pts, pts[1:]))
            growth = pts[-1][1] / pts[0][1]
            linear = pts[-1][0] / pts[0][0]
            self.target(name, "monotone, >= 1/4 linear",
                        mono and growth >= linear / 4,
                        "x%.1f for d x%.0f (n=%d)" % (growth, linear, n0))
        else:
            self.target(name, "monotone, >= 1/4 linear", None, "no data")
        ts = []
        for n in m["fsync_n"]:
            r = self.find("fsync", "n=%d d=%d" % (n, d0), "vmmap")
            if ok(r):
                ts.append(quantile(r.v["ns"], 0))
        spread = max(ts) / min(ts) if len(ts) >= 2 else NAN
        self.target("fsync flat in object size n (d fixed; min of runs)",
                    "max/min <= 1.5", None if len(ts) < 2 else spread <= 1.5,
                    "max/min %.2f over n=%d..%d (d=%d)" %
                    (spread, m["fsync_n"][0], m["fsync_n"][-1], d0))

        c = self.memcheck
        if c:
            self.target("resident_pages == k after k touches (4K path)", "== k",
                        c["resident_read"] == c["k"] and
                        c["resident_write"] == c["k"],
                        "read %d, write %d, k %d" % (c["resident_read"],
                                                     c["resident_write"], c["k"]))

        for cid, what in (("huge_read_cold", "huge first read"),
                          ("huge_write_cold", "huge first write")):
            h1, h0 = self.find(cid, fa, H1), self.find(cid, fa, H0)
            sh = self.find(cid, fa, "shmem")
            why = "n/a (%s)" % (h1.why if h1 and h1.why else "not run")
            fpp = per_page(h1, "minflt") * self.pmd / self.ps
            if ok(h1):
                self.target("%s: faults per PMD (huge=1)" % what, "<= 1",
                            fpp <= 1.0 + 1e-9, "%.2f" % fpp)
            else:
                self.target("%s: faults per PMD (huge=1)" % what, "<= 1", None, why)
            for ref, rname, want, limit in ((h0, "huge=0", ">= 5x", 5.0),
                                            (sh, "shmem default", ">= 2x", 2.0)):
                name = "%s: huge=1 vs %s" % (what, rname)
                if ok(h1) and not math.isnan(paired_ratio(h1, ref)):
                    self.ratio_target(name, want, h1, ref, limit)
                else:
                    self.target(name, want, None, why)

    # -------------------------------------------------------------- tables

    def tables(self):
        m, out = self.meta, []
        p = out.append
        p("kernel %s %s, page %d B, PMD %d KiB, %d runs per figure%s" %
          (m["kernel"], m["machine"], self.ps, self.pmd >> 10, m["reps"],
           " (--quick: sizes too small for conclusions)" if m["quick"] else ""))
        p("fault_around_bytes default %d; THP enabled [%s], shmem_enabled [%s];"
          " vmmap huge param: %s" %
          (m["fault_around_bytes_default"], m["thp_enabled"],
           m["shmem_enabled"] or "n/a", m["vmmap_huge_param"] or "absent"))
        p("times: median per unit [min..max]; 'vs shmem' = t_shmem/t_vmmap"
          " (>1: vmmap faster), median of\nthe per-repetition ratios;"
          " flt/pg = minor faults (getrusage) per page;\n"
          "fault/mappg/mkwr = vmmap's handler calls per page\n")
        p("== mapped access (seq %d MiB, random %d of %d MiB) ==" %
          (m["seq_bytes"] >> 20, m["rand_touches"], m["rand_bytes"] >> 20))
        p(self.header("us/page"))
        out += [self.row(r) for r in self.group("seq_") + self.group("rand_")]
        p("\n== fault-around: fault_around_bytes %d vs one page (%d) ==" %
          (m["fault_around_bytes_default"], self.ps))
        out += self.fa_table()
        p("\n== read()/write(), %d MiB ==" % (m["rw_bytes"] >> 20))
        p(self.header("us/MiB"))
        out += [self.row(r) for r in self.group("read_") + self.group("write_")]
        p("\n== fsync/msync against dirty pages d in n pages ==")
        out += self.fsync_table()
        p("\n== mmap+munmap of an untouched mapping ==")
        p(self.header("us/pair"))
        out += [self.row(r) for r in self.group("mmap_")]
        p("\n== memory per page (%d MiB touched) ==" % (m["seq_bytes"] >> 20))
        out += self.mem_table()
        p("\n== huge pages (%d MiB, PMD %d KiB) ==" %
          (m["huge_bytes"] >> 20, self.pmd >> 10))
        out += self.huge_table()
        p("\n== targets ==")
        p("%-58s %-22s %-40s %s" % ("target", "want", "measured", ""))
        out += ["%-58s %-22s %-40s %s" % (t["name"], t["want"], t["measured"],
                                          t["status"]) for t in self.targets]
        return "\n".join(out) + "\n"

    @staticmethod
    def header(unit):
        return ("%-33s %-13s %-17s %8s %-21s %9s %7s %7s %7s %7s %9s" %
                ("case", "variant", "backend", unit, "[min..max]", "MiB/s",
                 "flt/pg", "fault", "mappg", "mkwr", "vs shmem"))

    def row(self, r):
        if not ok(r):
            return "%-33s %-13s %-17s n/a (%s)" % (r.title, r.var, r.backend,
                                                   r.why or "no data")
        ns, u = r.v["ns"], r.units
        spread = "[%.3g..%.3g]" % (div(quantile(ns, 0), u) / 1e3,
                                   div(quantile(ns, 1), u) / 1e3)
        vm = r.backend.startswith("vmmap")
        f, mp, mk = (fmt(per_page(r, k), "%.3f") if vm else "-"
                     for k in ("fault", "map_pages", "mkwrite"))
        ref = self.find(r.id, r.var, "shmem")
        rat = (fmt(paired_ratio(r, ref), "%.3gx")
               if ref is not None and ref is not r and vm else "-")
        return ("%-33s %-13s %-17s %8s %-21s %9s %7s %7s %7s %7s %9s" %
                (r.title, r.var, r.backend, fmt(us_per_unit(r), "%.3g"), spread,
                 fmt(mib_s(r), "%.1f"), fmt(per_page(r, "minflt"), "%.3f"),
                 f, mp, mk, rat))

    def fa_table(self):
        out = ["%-18s %-8s %12s %12s %12s %12s %14s" %
               ("case", "backend", "flt/pg dflt", "flt/pg 1pg", "mappg/pg dflt",
                "us/pg dflt", "t(1pg)/t(dflt)")]
        for cid in ("seq_read_cold", "seq_read_warm", "rand_read_warm"):
            for bk in ("vmmap", "shmem"):
                d = self.find(cid, self.fa_var, bk)
                o = self.find(cid, self.fa1_var, bk)
                out.append("%-18s %-8s %12s %12s %12s %12s %14s" % (
                    cid, bk, fmt(per_page(d, "minflt"), "%.3f"),
                    fmt(per_page(o, "minflt"), "%.3f"),
                    fmt(per_page(d, "map_pages"), "%.3f") if bk == "vmmap" else "-",
                    fmt(us_per_unit(d), "%.3g"),
                    fmt(paired_ratio(d, o), "%.2fx")))
        return out

    def fsync_table(self):
        out = ["%-16s %-18s %-8s %10s %-21s %12s %9s %9s" %
               ("case", "variant", "backend", "us/call", "[min..max]",
                "us/dirty pg", "cleaned", "flt")]
        for r in self.results.values():
            if r.id not in ("fsync", "msync"):
                continue
            if not ok(r):
                out.append("%-16s %-18s %-8s n/a (%s)" % (r.title, r.var,
                                                          r.backend, r.why))
                continue
            ns = r.v["ns"]
            out.append("%-16s %-18s %-8s %10.2f [%8.2f..%8.2f] %12.3f %9.0f %9.0f" %
                       (r.title, r.var, r.backend, us_per_unit(r),
                        quantile(ns, 0) / 1e3, quantile(ns, 1) / 1e3,
                        div(us_per_unit(r), r.pages), med(r.v["cleaned"]),
                        med(r.v["minflt"])))
        return out

    def mem_table(self):
        c = self.memcheck
        if not c:
            return []
        out = ["resident_pages after %d random page touches in %d pages (4K path):"
               " read %d, write %d (dirty %d); want %d" %
               (c["k"], c["npages"], c["resident_read"], c["resident_write"],
                c["dirty_write"], c["k"])]
        if c["huge_resident_one"] >= 0:
            out.append("huge=1: resident_pages after touching 1 page of a"
                       " PMD-aligned mapping: %d" % c["huge_resident_one"])
        rows = self.mem_rows()
        out.append("bytes per page written through a new mapping (median of %d runs):"
                   % (rows[0][2] if rows else 0))
        out.append("%-8s %8s %11s %9s %11s %9s %12s %9s %9s %11s" %
                   ("backend", "pages", "free pages", "MemFree", "PageTables",
                    "xarray", "Unevictable", "Shmem", "Cached", "freed back"))
        for bk, pages, _, cols in rows:
            out.append("%-8s %8.0f %11.1f %9.1f %11.2f %9.2f %12.1f %9.1f %9.1f %11.1f" %
                       ((bk, pages) + tuple(med(cols[k]) for k in (
                           "free", "memfree", "pt", "xa", "unev", "shmem",
                           "cached", "back"))))
        xa = self.xa_objsize()
        out.append(
            "free pages = buddy + per-cpu lists (exact); MemFree leaves the per-cpu\n"
            "lists out and lags by their batches. xarray = radix_tree_node slab\n"
            "objects in use (SLUB counts objects in per-cpu slabs as in use: rough).\n"
            "Estimated metadata of a resident vmmap page: struct page 64 B (in the\n"
            "memmap allocated at boot for every page frame, so it never shows in\n"
            "these deltas) + page cache xarray %.0f B/64 = %.1f B (+1/64 of that per\n"
            "upper level) + one PTE (8 B) per mapping that maps it; ~81 B = 2.0%%\n"
            "of a 4 KiB page. shmem keeps its pages the same way." %
            (xa, xa / 64.0 if xa > 0 else NAN))
        return out

    def huge_table(self):
        per = self.pmd / self.ps
        out = ["%-36s %-17s %9s %-21s %9s %8s %9s %10s %8s %8s" %
               ("case", "backend", "us/PMD", "[min..max]", "MiB/s", "flt/PMD",
                "fault/PMD", "PMD-mapped", "vs h=0", "vs shmem")]
        for r in self.group("huge_"):
            if not ok(r):
                out.append("%-36s %-17s n/a (%s)" % (r.title, r.backend,
                                                     r.why or "no data"))
                continue
            rat0 = rats = fp = "-"
            if r.backend == H1:
                rat0 = fmt(paired_ratio(r, self.find(r.id, r.var, H0)), "%.2fx")
            if r.backend in (H1, H0):
                rats = fmt(paired_ratio(r, self.find(r.id, r.var, "shmem")), "%.2fx")
                fp = fmt(per_page(r, "fault") * per, "%.2f")
            ns, u = r.v["ns"], r.units
            out.append("%-36s %-17s %9.1f [%8.1f..%8.1f] %9.1f %8.2f %9s %9.0f%% %8s %8s" %
                       (r.title, r.backend, us_per_unit(r),
                        div(quantile(ns, 0), u) / 1e3, div(quantile(ns, 1), u) / 1e3,
                        mib_s(r), per_page(r, "minflt") * per, fp,
                        div(100.0 * med(r.v["pmd_kb"]) * 1024, r.bytes), rat0, rats))
        out.append("(PMD-mapped: FilePmdMapped + ShmemPmdMapped + AnonHugePages of the"
                   " mapping in /proc/self/smaps, as a share of its size)")
        return out

    # -------------------------------------------------------------- JSON, plot

    def as_json(self):
        def stats(v, scale=1.0):
            v = [x * scale for x in v]
            return {"median": med(v), "min": quantile(v, 0),
                    "q1": quantile(v, 0.25), "q3": quantile(v, 0.75),
                    "max": quantile(v, 1), "samples": v}

        def ratios(a, b):
            return {"case": a.id, "variant": a.var, "vmmap": a.backend,
                    "ref": b.backend, "speed_ratio": paired_ratio(a, b),
                    "paired": {k: paired_ratio(a, b, q) for k, q in
                               (("min", 0), ("q1", 0.25), ("median", 0.5),
                                ("q3", 0.75), ("max", 1))},
                    "ratio_of_medians": median_ratio(a, b)}

        res, rat = [], []
        for r in self.results.values():
            d = {"case": r.id, "variant": r.var, "backend": r.backend,
                 "title": r.title, "status": "ok" if ok(r) else "n/a"}
            if not ok(r):
                d["why"] = r.why or "no data"
                res.append(d)
                continue
            pg = div(1.0, r.pages)
            d.update(unit=r.unit, units_per_run=r.units, pages_per_run=r.pages,
                     bytes_per_run=r.bytes, runs=r.n, mib_per_s=mib_s(r),
                     ns_per_run=stats(r.v["ns"]),
                     us_per_unit=stats(r.v["ns"], div(1e-3, r.units)),
                     minflt_per_page=stats(r.v["minflt"], pg))
            if r.backend.startswith("vmmap"):
                for k in ("fault", "map_pages", "mkwrite"):
                    d["vmmap_%s_per_page" % k] = stats(r.v[k], pg)
                d["vmmap_pages_cleaned_per_run"] = stats(r.v["cleaned"])
                for ref in (self.find(r.id, r.var, "shmem"),
                            self.find(r.id, r.var, H0) if r.backend == H1 else None):
                    if ref is not None:
                        rat.append(ratios(r, ref))
            if r.v["pmd_kb"][0] >= 0:
                d["pmd_mapped_kb"] = stats(r.v["pmd_kb"])
            res.append(d)
        mem = dict(self.memcheck or {})
        mem.pop("rec", None)
        mem["per_backend"] = [
            {"backend": bk, "pages_touched": pages, "runs": n,
             "bytes_per_page": {k: stats(v) for k, v in cols.items()}}
            for bk, pages, n, cols in self.mem_rows()]
        meta = dict(self.meta)
        for k in ("rec", "tool", "format"):
            meta.pop(k, None)
        meta["seconds"] = self.seconds
        doc = {"tool": "vmmap-bench", "format": 2, "meta": meta,
               "results": res, "ratios": rat, "memory": mem,
               "targets": self.targets}
        return json.dumps(finite(doc), indent=1, allow_nan=False) + "\n"

    def plot_data(self):
        ids = ["seq_read_cold", "seq_read_warm", "seq_write_cold",
               "seq_write_resident", "seq_rewrite_synced", "rand_read_cold",
               "rand_write_cold", "rand_read_warm"]
        rws = ["read_resident", "read_hole", "write_new", "write_resident"]

        def cell(r):
            return " %.2f" % mib_s(r) if ok(r) else " -"

        out = ["# block 0: MiB/s, columns: case vmmap shmem anon"]
        for cid in ids + rws:
            var = self.rw_var if cid in rws else self.fa_var
            out.append(cid + "".join(cell(self.find(cid, var, bk))
                                     for bk in ("vmmap", "shmem", "anon")))
        out += ["", "", "# block 1: MiB/s, columns: case" +
                "".join(' "%s"' % bk for bk in HUGE_BACKENDS)]
        for cid in ("huge_read_cold", "huge_write_cold"):
            out.append(cid + "".join(cell(self.find(cid, self.fa_var, bk))
                                     for bk in HUGE_BACKENDS))
        return "\n".join(out) + "\n"


def plot(run, kernel, dat, png):
    # With --only, a block may hold no figure at all: gnuplot refuses such
    # a plot, so leave the huge-page panel out then.
    huge = any(ok(run.find(c, run.fa_var, bk)) for bk in HUGE_BACKENDS
               for c in ("huge_read_cold", "huge_write_cold"))
    hplot = "plot" if huge else "# (no huge-page figures)"
    script = f"""
set terminal pngcairo size 1400,1000 noenhanced font ",10"
set output '{png}'
set datafile missing '-'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [1:*]
set grid ytics
set ylabel 'MiB/s (log scale; higher is better)'
set xtics rotate by -20 scale 0
set key top right
set multiplot layout {2 if huge else 1},1 title 'vmmap-bench on {kernel} under qemu TCG (median of runs, same boot)'
set title '4 KiB pages: vmmap vs shmem (memfd) vs anonymous'
plot '{dat}' index 0 using 2:xtic(1) title 'vmmap', '' index 0 using 3 title 'shmem', '' index 0 using 4 title 'anon'
set title 'huge pages: first touch'
{hplot} '{dat}' index 1 using 2:xtic(1) title 'vmmap huge=1', '' index 1 using 3 title 'vmmap huge=0', \\
     '' index 1 using 4 title 'shmem', '' index 1 using 5 title 'shmem always', \\
     '' index 1 using 6 title 'tmpfs huge=always', '' index 1 using 7 title 'anon THP', \\
     '' index 1 using 8 title 'anon 4K'
unset multiplot
"""
    return subprocess.run(["gnuplot"], input=script, text=True).returncode == 0


# ------------------------------------------------------------------ docs

DOC_HEADER = """\
# vmmap benchmarks

Generated by `make bench` (bench/bench.sh runs bench/vmmap-bench.c in the
guest, bench/report.py makes the tables): do not edit by hand. Each run
replaces the section of its kernel and keeps the others.

    make bench                          # 6.12-amd64, full sizes
    make bench KERNEL=6.1-amd64
    make bench BENCH_ARGS="--reps 9 --size 32M"
    make bench-quick                    # tiny sizes, proves it runs

Everything runs in one qemu boot (TCG, no KVM) with vmmap.ko loaded; the
backends of a case alternate within each repetition. Absolute figures
under TCG move by up to 2x between boots: read the ratios, which compare
runs of the same boot. "vs shmem" is a speed ratio, t_shmem / t_vmmap per
page (or MiB, call): above 1 vmmap is faster. flt/pg are minor faults
(getrusage) per page; fault, mappg and mkwr are vmmap's own handler
calls (its root-only counters, /sys/class/misc/vmmap/stats/) per
page: ->fault, ->map_pages, ->page_mkwrite.

The cases: first-touch reads of pages not resident (each fault
allocates) and of resident pages (fault-around maps 16 per fault);
first writes through MAP_SHARED (vmmap: ->fault + ->page_mkwrite) to
pages not resident and resident; the rewrite after msync(MS_SYNC)
(vmmap write-protects dirty pages again, shmem's msync does nothing, so
this row shows the cost of dirty tracking, not a target); random page
touches over a larger mapping; the read rows again with
fault_around_bytes set to one page; read(2)/write(2) in 128 KiB calls;
fsync(2) against d dirty pages in n resident pages (shmem's fsync is a
no-op, shown for scale); mmap+munmap of a large untouched mapping;
memory per page; and PMD-size mappings with the module's `huge`
parameter on and off against shmem (default, shmem_enabled=always, a
tmpfs mounted huge=always) and anonymous THP. Anonymous read faults map
the zero page: that row is a floor, not a competitor.

Where the first write to resident pages goes. vmmap misses its 0.9x
target there (0.72-0.78x on quiet 6.12 boots) while it beats shmem on
every allocating fault. The difference is the core's page_mkwrite
protocol, not the handler: on the same boot a ->page_mkwrite that
returns 0 at once (the core then locks the page itself) measured
0.78x, one that skips marking dirty 0.75x, the real one 0.77x. With
no ->page_mkwrite at all (no dirty tracking, so not an option for
this driver) it was 0.92x. Every such fault unlocks and relocks the
page around ->page_mkwrite and then, in fault_dirty_shared_page(),
drops the fault lock early and calls balance_dirty_pages_ratelimited()
with a file reference held; shmem takes none of that, because it has
no ->page_mkwrite and its pages are always dirty. That is the price
of fsync costing O(dirty pages) (see the rewrite-after-msync and
fsync rows): any driver that tracks dirty pages through page_mkwrite
pays it. The fault-around read of resident pages runs the same
kernel function for both (filemap_map_pages), so it measures parity,
1.00x within noise.

The guest boots with `slub_debug=- page_poison=0 init_on_free=0
kfence.sample_interval=0` appended to the test runner's hardened options
(bench.sh --hardened keeps them). The JSON with every sample is in
build/bench/KERNEL.json (not committed); the plot is copied to
docs/benchmarks-KERNEL.png.
"""


def cmd_out(argv, top):
    try:
        return subprocess.run(argv, cwd=top, capture_output=True, text=True,
                              check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""


def doc_section(run, kernel, txt, png, args, top):
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    qv = cmd_out(["qemu-system-x86_64", "--version"], top).split("\n")[0]
    qv = qv.replace("QEMU emulator version ", "") or "?"
    rev = cmd_out(["git", "rev-parse", "--short", "HEAD"], top).strip() or "?"
    dirty = ""
    if cmd_out(["git", "status", "--porcelain", "--", "module", "uapi"], top).strip():
        dirty = " + uncommitted changes in module/ or uapi/"
    gcmd = "vmmap-bench" + (" " + args.guest_args if args.guest_args else "")
    out = ["<!-- bench:%s begin -->" % kernel,
           "## %s: Linux %s" % (kernel, run.meta["kernel"]), "",
           "- date: %s" % datetime.datetime.now(datetime.timezone.utc)
           .strftime("%Y-%m-%d %H:%M UTC"),
           "- machine: host %s, %d cores (shared); guest: qemu TCG (no KVM) %s,"
           " 2 vCPUs, 1024 MiB" % (cpu, len(os.sched_getaffinity(0)), qv),
           "- vmmap: git %s%s" % (rev, dirty),
           "- guest command: `%s`; boot options appended: `%s`" %
           (gcmd, args.append or "none"), ""]
    if os.path.exists(png):
        out += ["![throughput by case, %s](benchmarks-%s.png)" % (kernel, kernel), ""]
    out += ["```text", txt.rstrip("\n"), "```", "<!-- bench:%s end -->" % kernel]
    return out


def update_doc(path, kernel, section, png):
    """The header, then every kernel's section, this one's replaced or added."""
    d = os.path.dirname(path)
    os.makedirs(d, exist_ok=True)
    dest = os.path.join(d, "benchmarks-%s.png" % kernel)
    if os.path.exists(dest):
        os.remove(dest)
    if os.path.exists(png):
        shutil.copyfile(png, dest)
    out, keep, done = DOC_HEADER.split("\n"), False, False
    old = open(path).read().split("\n") if os.path.exists(path) else []
    for line in old:
        b = re.match(r"^<!-- bench:(.*) begin -->$", line)
        if b:
            keep = b.group(1) != kernel
            if keep:
                out.append(line)
            else:
                out += section
                done = True
        elif re.match(r"^<!-- bench:.* end -->$", line):
            if keep:
                out.append(line)
            out.append("")
            keep = False
        elif keep:
            out.append(line)
    if not done:
        out += [""] + section
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).rstrip("\n") + "\n"
    with open(path + ".new", "w") as f:
        f.write(text)
    os.replace(path + ".new", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--name")
    ap.add_argument("--doc")
    ap.add_argument("--guest-args", default="")
    ap.add_argument("--append", default="")
    ap.add_argument("logs", nargs="+")
    args = ap.parse_args()
    name = args.name or args.kernel
    recs = pick_log(args.logs)
    if not any(r["rec"] == "meta" for r in recs) or \
       not any(r["rec"] == "sample" for r in recs):
        print("report.py: no results in %s" % " ".join(args.logs), file=sys.stderr)
        return 1
    run = Run(recs)
    if run.seconds is None:
        print("report.py: the run did not finish: partial results", file=sys.stderr)
    run.judge()
    base = os.path.join(args.out, name)
    txt = run.tables()
    with open(base + ".txt", "w") as f:
        f.write(txt)
    with open(base + ".json", "w") as f:
        f.write(run.as_json())
    with open(base + ".dat", "w") as f:
        f.write(run.plot_data())
    png = base + ".png"
    if os.path.exists(png):
        os.remove(png)
    print("\n" + txt)
    if shutil.which("gnuplot"):
        if plot(run, args.kernel, base + ".dat", png):
            print("report.py: plot: %s" % png)
        else:
            print("report.py: gnuplot failed; no plot")
    missed = sum(t["status"] == "MISSES" for t in run.targets)
    print("report.py: %d targets, %d missed; results: %s.{txt,json,dat}" %
          (len(run.targets), missed, base))
    if args.doc:
        top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        update_doc(args.doc, args.kernel,
                   doc_section(run, args.kernel, txt, png, args, top), png)
        print("report.py: updated %s" % args.doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
