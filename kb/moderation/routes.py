"""Every router of submission and moderation, for the app factory to include."""

from kb.moderation import api, web, web_files, web_orgs, web_review

ROUTERS = (
    web.router,
    web_files.upload_router,
    web_files.router,
    web_review.router,
    web_orgs.router,
    api.router,
)
