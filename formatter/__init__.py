"""Rendering: from registered records to print-ready 《社情民意信息》 issues in outbox/.

The issue (期) model and its numbering, the template context, .docx rendering
in the GB/T 9704-2012 layout, PDF conversion and previews live here. This
package may import ``ingest.record`` and nothing else of ``ingest``.
"""
