"""A stand-in for Meilisearch's HTTP API (the documented v1.x routes), for httpx2.MockTransport.

It records every request, keeps documents per index, completes tasks at once (or fails the ones
asked to fail), answers searches with a canned multi-search response, and can be switched off to
simulate an outage (connection refused). It speaks httpx2, the HTTP library under
meilisearch-python-sdk, and answers with the fields the SDK's models require (task `enqueuedAt`,
index `createdAt`/`updatedAt`, stats `isIndexing`/`fieldDistribution`), as Meilisearch does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import httpx2

NOW = "2026-01-01T00:00:00Z"


@dataclass
class FakeMeili:
    indexes: dict[str, dict[str, dict]] = field(default_factory=dict)
    settings: dict[str, dict] = field(default_factory=dict)
    tasks: dict[int, dict] = field(default_factory=dict)
    requests: list[tuple[str, str, object]] = field(default_factory=list)
    search_results: list[dict] = field(default_factory=list)
    fail_next: str | None = None  # task type whose next task fails
    down: bool = False

    def transport(self) -> httpx2.MockTransport:
        return httpx2.MockTransport(self.handle)

    def calls(self, method: str, path: str = "", *, exact: bool = False) -> list[object]:
        """Return the bodies sent with `method` to URLs containing (or, exact, ending in) path."""
        return [
            body
            for m, url, body in self.requests
            if m == method and (httpx2.URL(url).path == path if exact else path in url)
        ]

    def _task(self, kind: str, index: str | None) -> httpx2.Response:
        uid = len(self.tasks)
        status, error = "succeeded", None
        if self.fail_next == kind:
            self.fail_next = None
            status = "failed"
            error = {
                "message": "Invalid document",
                "code": "invalid_document_fields",
                "type": "invalid_request",
                "link": "https://docs.meilisearch.com/errors",
            }
        self.tasks[uid] = {
            "uid": uid,
            "indexUid": index,
            "status": status,
            "type": kind,
            "error": error,
            "enqueuedAt": NOW,
        }
        return httpx2.Response(
            202,
            json={
                "taskUid": uid,
                "indexUid": index,
                "status": "enqueued",
                "type": kind,
                "enqueuedAt": NOW,
            },
        )

    @staticmethod
    def _missing(uid: str) -> httpx2.Response:
        error = {
            "message": f"Index `{uid}` not found.",
            "code": "index_not_found",
            "type": "invalid_request",
            "link": "",
        }
        return httpx2.Response(404, json=error)

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        if self.down:
            raise httpx2.ConnectError("connection refused", request=request)
        body = json.loads(request.content) if request.content else None
        path, method = request.url.path, request.method
        self.requests.append((method, str(request.url), body))
        parts = path.strip("/").split("/")
        if path == "/health":
            return httpx2.Response(200, json={"status": "available"})
        if parts[0] == "tasks":
            return httpx2.Response(200, json=self.tasks[int(parts[1])])
        if path == "/multi-search":
            for query in body["queries"]:
                if query["indexUid"] not in self.indexes:
                    return self._missing(query["indexUid"])
            return httpx2.Response(200, json={"results": self.search_results})
        if path == "/swap-indexes":
            a, b = body[0]["indexes"]
            self.indexes[a], self.indexes[b] = self.indexes[b], self.indexes[a]
            return self._task("indexSwap", None)
        if path == "/indexes" and method == "POST":
            self.indexes.setdefault(body["uid"], {})
            return self._task("indexCreation", body["uid"])
        uid = parts[1]
        if uid not in self.indexes and parts[2:3] != ["documents"]:
            return self._missing(uid)  # adding documents creates the index, as Meilisearch does
        if len(parts) == 2:
            if method == "DELETE":
                del self.indexes[uid]
                return self._task("indexDeletion", uid)
            info = {"uid": uid, "primaryKey": "id", "createdAt": NOW, "updatedAt": NOW}
            return httpx2.Response(200, json=info)
        if parts[2] == "settings":
            self.settings[uid] = body
            return self._task("settingsUpdate", uid)
        if parts[2] == "stats":
            stats = {
                "numberOfDocuments": len(self.indexes[uid]),
                "isIndexing": False,
                "fieldDistribution": {},
            }
            return httpx2.Response(200, json=stats)
        if parts[2] == "documents" and len(parts) == 3:
            task = self._task("documentAdditionOrUpdate", uid)
            if self.tasks[len(self.tasks) - 1]["status"] == "succeeded":
                docs = self.indexes.setdefault(uid, {})
                docs.update({str(d["id"]): d for d in body})
            return task
        if parts[2:] == ["documents", "delete-batch"]:
            for doc_id in body:
                self.indexes.get(uid, {}).pop(str(doc_id), None)
            return self._task("documentDeletion", uid)
        return httpx2.Response(404, json={"message": "no route", "code": "not_found"})
