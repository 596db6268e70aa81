"""Identity documents: MRZ with check digits, labelled fields and the holder's portrait."""

from trust_lesson.vision.document.analysis import DocumentAnalysis, analyze_document
from trust_lesson.vision.document.mrz import MrzField, MrzResult, parse_mrz

__all__ = ["DocumentAnalysis", "MrzField", "MrzResult", "analyze_document", "parse_mrz"]
