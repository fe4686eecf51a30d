"""A stand-in for Meilisearch's HTTP API (the documented v1.x routes) at the `requests` layer.

`FakeMeili.install(mock)` registers `responses` callbacks for every URL under `url`, so the
official `meilisearch` client (which speaks `requests`) talks to it unchanged. It records every
request, keeps documents per index, completes tasks at once (or fails the ones asked to fail),
answers searches (`fake_meili_search`, or canned multi-search results), and can be
switched off (connection refused), made slow (read timeout) or told to answer with a page that
is not JSON. Its answers carry the fields the client's models require (task `enqueuedAt`, stats
`isIndexing`/`fieldDistribution`), as Meilisearch does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
import responses

from tests.search.fake_meili_search import InvalidFilter, search

NOW = "2026-01-01T00:00:00.000000000Z"  # RFC 3339 with nanoseconds, as Meilisearch sends
Answer = tuple[int, dict[str, str], str]


def _json(status: int, body: object) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(body)


def _not_found(uid: str) -> Answer:
    error = {"message": f"Index `{uid}` not found.", "code": "index_not_found"}
    return _json(404, {**error, "type": "invalid_request", "link": ""})


@dataclass
class FakeMeili:
    url: str = "http://meili.test"
    indexes: dict[str, dict[str, dict]] = field(default_factory=dict)
    settings: dict[str, dict] = field(default_factory=dict)
    tasks: dict[int, dict] = field(default_factory=dict)
    requests: list[tuple[str, str, object]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    search_results: list[dict] = field(default_factory=list)
    fail_next: str | None = None  # task type whose next task fails
    task_status: str = "succeeded"  # how the other tasks end ("canceled", "enqueued": never)
    page_next: tuple[int, str] | None = None  # the next answer: a status and a non-JSON body
    down: bool = False  # connection refused
    slow: bool = False  # every request times out

    def install(self, mock: responses.RequestsMock) -> None:
        """Answer every request to `url` through `mock`."""
        pattern = re.compile(re.escape(self.url) + r"/.*")
        for method in (responses.GET, responses.POST, responses.PATCH, responses.DELETE):
            mock.add_callback(method, pattern, callback=self.handle)

    def calls(self, method: str, path: str = "", *, exact: bool = False) -> list[object]:
        """Return the bodies sent with `method` to URLs containing (or, exact, ending in) path."""
        return [
            body
            for m, url, body in self.requests
            if m == method and (urlsplit(url).path == path if exact else path in url)
        ]

    def _task(self, kind: str, index: str | None) -> Answer:
        uid = len(self.tasks)
        status, error = self.task_status, None
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
        info = {"taskUid": uid, "indexUid": index, "status": "enqueued", "type": kind}
        return _json(202, {**info, "enqueuedAt": NOW})

    def _multi_search(self, queries: list[dict]) -> Answer:
        if self.search_results:
            return _json(200, {"results": self.search_results})
        results = []
        for query in queries:
            uid = query["indexUid"]
            if uid not in self.indexes:
                return _not_found(uid)
            docs = list(self.indexes[uid].values())
            try:
                results.append(search(docs, self.settings.get(uid, {}), query))
            except InvalidFilter as exc:
                error = {"message": f"invalid filter: {exc}", "code": "invalid_search_filter"}
                return _json(400, {**error, "type": "invalid_request", "link": ""})
        return _json(200, {"results": results})

    def handle(self, request: requests.PreparedRequest) -> Answer:
        if self.down:
            raise requests.ConnectionError("connection refused")
        if self.slow:
            raise requests.ReadTimeout("read timed out")
        body = json.loads(request.body) if request.body else None
        method, url = str(request.method), str(request.url)
        self.requests.append((method, url, body))
        self.headers.append(dict(request.headers))
        if self.page_next is not None:
            (status, text), self.page_next = self.page_next, None
            return status, {"Content-Type": "text/html"}, text
        return self._route(method, urlsplit(url).path, body)

    def _route(self, method: str, path: str, body: object) -> Answer:
        parts = path.strip("/").split("/")
        if path == "/health":
            return _json(200, {"status": "available"})
        if parts[0] == "tasks":
            return _json(200, self.tasks[int(parts[1])])
        if path == "/multi-search":
            assert isinstance(body, dict)
            assert body.get("federation") is None  # null or missing: one result per query
            return self._multi_search(body["queries"])
        if path == "/swap-indexes":
            assert isinstance(body, list)
            a, b = body[0]["indexes"]
            self.indexes[a], self.indexes[b] = self.indexes[b], self.indexes[a]
            return self._task("indexSwap", None)
        if path == "/indexes" and method == "POST":
            assert isinstance(body, dict)
            self.indexes.setdefault(body["uid"], {})
            return self._task("indexCreation", body["uid"])
        uid = parts[1]
        if len(parts) == 2:
            if uid not in self.indexes:
                return _not_found(uid)
            if method == "DELETE":
                del self.indexes[uid]
                return self._task("indexDeletion", uid)
            return _json(200, {"uid": uid, "primaryKey": "id", "createdAt": NOW, "updatedAt": NOW})
        if parts[2] == "settings":
            assert isinstance(body, dict)
            self.settings[uid] = body
            return self._task("settingsUpdate", uid)
        if parts[2] == "stats":
            if uid not in self.indexes:
                return _not_found(uid)
            count = len(self.indexes[uid])
            stats = {"numberOfDocuments": count, "isIndexing": False, "fieldDistribution": {}}
            return _json(200, stats)
        if parts[2] == "documents" and len(parts) == 3:
            assert isinstance(body, list)
            answer = self._task("documentAdditionOrUpdate", uid)
            if self.tasks[len(self.tasks) - 1]["status"] == "succeeded":
                docs = self.indexes.setdefault(uid, {})
                docs.update({str(d["id"]): d for d in body})
            return answer
        if parts[2:] == ["documents", "delete-batch"]:
            assert isinstance(body, list)
            for doc_id in body:
                self.indexes.get(uid, {}).pop(str(doc_id), None)
            return self._task("documentDeletion", uid)
        return _json(404, {"message": "no route", "code": "not_found"})
