"""Waters TargetLynx XML export (``<QUANDATASET>``), MassLynx quantitation results.

Layout (``../shared/fixtures/EXPORTS.md`` section 3.6 c): ``QUANDATASET / GROUPDATA / GROUP /
SAMPLELISTDATA / SAMPLE`` (attributes ``name, type, sampleid, stdconc, dilutionfac,
createdate, createtime, instrument ...``) ``/ COMPOUND`` (``name, stdconc``) ``/ PEAK``
(``area, height, response, analconc, foundrt, chromtrace, pkflags, detectionflag, quanflag,
peakmissing ...``) ``/ ISPEAK`` (``area`` of the internal standard, empty when none), plus an
optional ``CALIBRATIONDATA`` block with the curve per compound.

Choices

- ``sample_id`` is the sample list's ``sampleid`` when filled, else the file ``name`` (kept in
  ``data_file``); ``sample_type`` from ``type`` (``Analyte``, ``Standard``, ``QC``, ``Blank``).
- ``signal`` = PEAK ``area``; ``istd_signal`` = ISPEAK ``area``; ``reported`` = ``analconc``;
  ``channel`` = ``chromtrace`` (``311 > 267``), else the method's ``quantrace``.
- ``nominal`` = COMPOUND ``stdconc`` for calibration and QC-type samples only (TargetLynx
  fills ``stdconc`` for every sample; on unknowns it means nothing); ``dilution`` =
  ``dilutionfac`` when positive (``0`` means "not set").
- Integration flags (``pkflags`` ``bb``, ``MM`` ...) go to the extra column ``peak_flags``;
  non-zero status attributes (``peakmissing``, ``detectionflag``, ``quanflag``, ``snlodflag``,
  ``snloqflag``, ``ionratioflag``) and any non-numeric area/concentration text go to
  ``reported_flag`` as ``name=value``. A missing peak (``peakmissing`` not 0) has no signal
  and no concentration, even where TargetLynx prints ``area="0"``: those printed zeros are
  kept in ``reported_flag`` (``area=0.0000000000``), never used as values.
- XML written without an encoding declaration in the PC's code page (cp1252 paths and sample
  descriptions such as ``Contrôle``, ``µg/kg``) is read as cp1252, with a warning.
- ``source_line`` is the line of the ``PEAK`` element (single-line exports give ``"1"``).
- The calibration block, when present, is kept in ``metadata["calibration"]``.
"""

from __future__ import annotations

import math
import re
from os import PathLike
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from xml.parsers import expat

import pandas as pd

from labtox.errors import ParseError
from labtox.io._chrom import ChromResolver, fast_number, iso_dates, join_flags
from labtox.io._common import Head, ReaderInfo, SampleTypeMapper
from labtox.run import Run

__all__ = ["INFO", "sniff", "read"]

INFO = ReaderInfo(
    name="targetlynx-xml",
    vendor="Waters",
    software="MassLynx / TargetLynx",
    instruments=("LC-MS/MS", "GC-MS/MS", "UPLC-MS"),
    extensions=("xml",),
    signature="TargetLynx XML root element <QUANDATASET>",
    priority=70,
)

_STATUS = ("peakmissing", "detectionflag", "quanflag", "snlodflag", "snloqflag", "ionratioflag")
_NOMINAL_TYPES = {"calibration", "calibration_blank", "qc", "ccv", "icv", "spike"}


def sniff(head: Head) -> bool:
    """True when the head holds a ``<QUANDATASET`` element."""
    return bool(head.text) and "<QUANDATASET" in head.text[:4096]


def read(path: str | PathLike[str], *, dayfirst: bool | None = None,
         conc_unit: str | None = None, **options: Any) -> Run:
    """Read a TargetLynx XML export into a :class:`~labtox.run.Run`.

    Parameters
    ----------
    path
        The ``.xml`` export.
    dayfirst
        Only for numeric dates; TargetLynx writes ``13-May-22``.
    conc_unit
        Unit of ``stdconc``/``analconc`` (the XML does not state it).

    Raises
    ------
    ParseError
        Malformed or truncated XML (with the parser's line and column), or no SAMPLE/COMPOUND.

    References
    ----------
    Waters, *MassLynx 4.1 TargetLynx Application Manager User's Guide* (71500103103),
    "Exporting results to XML". Layout as in ``../shared/fixtures/EXPORTS.md`` 3.6 (c).

    Examples
    --------
    >>> from labtox.io import targetlynx_xml
    >>> run = targetlynx_xml.read("tests/data/targetlynx_xml/afm1_batch.xml")  # doctest: +SKIP
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror}.", path=p) from None
    warnings: list[str] = []
    raw, note = _as_declared(raw)
    if note:
        warnings.append(note)
    state = _State()
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda tag, attrs: state.start(tag, attrs,
                                                                parser.CurrentLineNumber)
    parser.EndElementHandler = state.end
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as exc:
        raise ParseError(f"the XML is malformed ({expat.ErrorString(exc.code)}).", path=p,
                         line=exc.lineno, column=exc.offset + 1,
                         expected="well-formed TargetLynx XML", found=_around(raw, exc)) from None
    if state.root != "QUANDATASET":
        raise ParseError("this is not a TargetLynx XML export.", path=p, line=1,
                         expected="root element <QUANDATASET>", found=f"<{state.root}>")
    if not state.peaks:
        raise ParseError("the export holds no SAMPLE/COMPOUND/PEAK results.", path=p,
                         expected="<SAMPLE> elements with <COMPOUND><PEAK>", found="none")
    types = SampleTypeMapper()
    resolver = ChromResolver()
    if state.extra_peaks:
        warnings.append(f"{state.extra_peaks} COMPOUND element(s) hold more than one PEAK: the "
                        "first (quantitation) peak of each was read, the others were not")
    if state.nested_peaks:
        warnings.append(f"{state.nested_peaks} peak element(s) nested inside a PEAK "
                        "(confirmation ions) were not read as measurements")

    ctx = SimpleNamespace(path=p, dayfirst=dayfirst, warnings=warnings)
    samples = list(dict.fromkeys(id(s) for s, _, _, _, _ in state.peaks))
    stamps: dict[int, tuple[str, int]] = {}
    for s, *_ in state.peaks:
        stamps.setdefault(id(s), (f"{s.get('createdate', '')} {s.get('createtime', '')}".strip(),
                                  int(s.get("_line", 0))))
    iso = iso_dates(ctx, [stamps[k][0] for k in samples], [stamps[k][1] for k in samples],
                    "createdate")
    acquired = dict(zip(samples, iso, strict=True))
    records = []
    for s, comp, peak, ispeak, line in state.peaks:
        seq = samples.index(id(s)) + 1
        vendor_type = s.get("type", "")
        stype = types(vendor_type, default="sample")
        analyte, channel, is_istd = resolver(comp.get("name", ""))
        trace = peak.get("chromtrace") or comp.get("_quantrace", "")
        area_cell = peak.get("area", "")
        signal, sflag = fast_number(area_cell)
        reported, rflag = fast_number(peak.get("analconc", ""))
        status = [f"{k}={peak[k]}" for k in _STATUS if peak.get(k, "0") not in ("0", "")]
        missing = peak.get("peakmissing", "0") not in ("0", "")
        kept = []
        if missing:  # TargetLynx prints area="0" / analconc="0" for a missing peak: no value
            if area_cell and not math.isnan(signal):
                kept.append(f"area={area_cell}")
                signal, sflag = math.nan, None
            if not math.isnan(reported):
                kept.append(f"analconc={peak.get('analconc')}")
                reported = math.nan
        nominal = fast_number(comp.get("stdconc", ""))[0]
        if stype not in _NOMINAL_TYPES:
            nominal = math.nan
        dil = fast_number(s.get("dilutionfac", ""))[0]
        records.append({
            "sequence": seq,
            "sample_id": s.get("sampleid") or s.get("name") or f"sample {seq}",
            "sample_type": stype, "vendor_type": vendor_type or None,
            "analyte": analyte, "channel": trace or channel,
            "signal": signal, "signal_unit": "area",
            "istd_signal": fast_number(ispeak.get("area", ""))[0],
            "istd_channel": comp.get("_isname") or None,
            "nominal": nominal, "nominal_unit": conc_unit if not math.isnan(nominal) else None,
            "dilution": dil if dil > 0 else math.nan,
            "acquired": acquired[id(s)],
            "reported": reported, "reported_unit": conc_unit,
            "reported_flag": join_flags(sflag if area_cell else "(empty)", rflag, *kept,
                                        *status),
            "source_line": str(line), "data_file": s.get("name", ""), "is_istd": is_istd,
            "compound": comp.get("name", ""),
            "retention_time": fast_number(peak.get("foundrt", ""))[0],
            "peak_flags": peak.get("pkflags") or None,
            "response": fast_number(peak.get("response", ""))[0],
        })
    df = pd.DataFrame.from_records(records)
    instrument = next((s.get("instrument") for s, *_ in state.peaks if s.get("instrument")), "")
    return Run.from_path(
        df, p, INFO.name, instrument=instrument, software=INFO.software,
        acquired=next((a for a in iso if a), ""),
        warnings=warnings + types.warnings() + resolver.warnings(),
        dataset=state.dataset, calibration=state.calibration,
        groups=state.groups)


def _as_declared(raw: bytes) -> tuple[bytes, str | None]:
    """The bytes to parse, and a note when they had to be re-encoded.

    MassLynx writes its XML without an ``encoding`` declaration (so XML parsers assume UTF-8)
    but in the PC's Windows code page: French or German paths and sample descriptions
    (``Contrôle``, ``µg/kg``) are then cp1252 bytes, invalid as UTF-8. Such a file is decoded
    as cp1252 and re-encoded as UTF-8; every character is kept, none is dropped.
    """
    if raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return raw, None
    decl = re.match(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']+)", raw[:200])
    if decl is not None:
        return raw, None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        return text.encode("utf-8"), ("the XML declares no encoding and is not UTF-8: read as "
                                      "Windows-1252 (cp1252), MassLynx's code page")
    return raw, None


def _around(raw: bytes, exc: expat.ExpatError) -> str:
    lines = raw.split(b"\n")
    if 0 < exc.lineno <= len(lines):
        ln = lines[exc.lineno - 1]
        return ln[max(exc.offset - 20, 0): exc.offset + 20].decode("utf-8", "replace")
    return "end of file"


class _State:
    """Streaming collection of SAMPLE/COMPOUND/PEAK/ISPEAK elements with their lines."""

    def __init__(self) -> None:
        self.root = ""
        self.stack: list[str] = []
        self.sample: dict[str, str] | None = None
        self.compound: dict[str, str] | None = None
        self.peak: tuple[dict[str, str], int] | None = None
        self.ispeak: dict[str, str] = {}
        self.peaks: list[tuple[dict, dict, dict, dict, int]] = []
        self.dataset: dict[str, str] = {}
        self.groups: list[str] = []
        self.calibration: dict[str, dict[str, Any]] = {}
        self._cal_compound: str | None = None
        self.extra_peaks = 0
        self.nested_peaks = 0

    def start(self, tag: str, attrs: dict[str, str], line: int) -> None:
        if not self.stack:
            self.root = tag
        parent = self.stack[-1] if self.stack else ""
        self.stack.append(tag)
        in_cal = "CALIBRATIONDATA" in self.stack
        if tag == "DATASET":
            self.dataset = dict(attrs)
        elif tag == "GROUP":
            self.groups.append(attrs.get("name", ""))
        elif tag == "SAMPLE":
            self.sample = dict(attrs)
            self.sample["_line"] = str(line)
        elif tag == "COMPOUND" and in_cal:
            self._cal_compound = attrs.get("name", "")
            self.calibration[self._cal_compound] = {}
        elif in_cal and self._cal_compound is not None:
            self.calibration[self._cal_compound][tag] = dict(attrs)
        elif tag == "COMPOUND" and parent == "SAMPLE":
            self.compound = dict(attrs)
            self.compound["_line"] = str(line)
            self.peak = None
        elif tag == "PEAK" and self.compound is not None and parent == "COMPOUND":
            if self.peak is not None:  # a second quantitation peak: keep the first, say so
                self.extra_peaks += 1
            else:
                self.peak = (dict(attrs), line)
                self.ispeak = {}
        elif tag == "PEAK" and self.compound is not None:
            self.nested_peaks += 1  # confirmation-ion / qualifier peaks inside the PEAK
        elif tag == "ISPEAK" and self.peak is not None and parent == "PEAK" and not self.ispeak:
            self.ispeak = dict(attrs)
        elif tag == "METHOD" and self.compound is not None:
            self.compound["_quantrace"] = attrs.get("quantrace", "")
            self.compound["_isname"] = attrs.get("isname", "") or attrs.get("istdname", "")

    def end(self, tag: str) -> None:
        self.stack.pop()
        if tag == "COMPOUND" and self.compound is not None and "CALIBRATIONDATA" not in self.stack:
            if self.sample is not None:
                peak, line = self.peak if self.peak is not None else (
                    {}, int(self.compound["_line"]))
                self.peaks.append((self.sample, self.compound, peak,
                                   self.ispeak if self.peak is not None else {}, line))
            self.compound = None
            self.peak = None
        elif tag == "COMPOUND":
            self._cal_compound = None
        elif tag == "SAMPLE":
            self.sample = None
