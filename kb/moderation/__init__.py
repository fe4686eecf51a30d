"""Submission and moderation of case studies: submitters' drafts and submissions, pending edits of
published cases (revisions), the moderators' decisions, every published version (snapshots) and
every transition (the audit log), attachments (photos and reports, checked and stored outside the
web root), notifications of status changes, and the account data the knowledge base holds for a
user (export and deletion). What the public sees is decided
here; `kb.service.can_view` applies it."""
