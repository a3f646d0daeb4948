"""Checks answers of the real daemon against docs/openapi.json: the path and
method are described (or the answer is the 404 or 405 problem the document
promises for anything else), the status is one of the operation's responses,
the content type is one that response lists, its required headers are there
and match their schemas, and a JSON body validates against its schema.

Schemas are validated with jsonschema (Debian's python3-jsonschema): an
OpenAPI 3.0 schema is JSON Schema draft 4 plus `nullable` and `$ref`s into
the document, which to_json_schema() turns into plain JSON Schema."""

import json
import os
import re
import urllib.parse
import xml.etree.ElementTree as ElementTree

import jsonschema

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCUMENT = os.path.join(REPO, "docs", "openapi.json")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class Contract:
    def __init__(self, path=DOCUMENT):
        with open(path, "rb") as f:
            self.raw = f.read()
        self.doc = json.loads(self.raw)
        self.routes = [(self._pattern(template), template) for template in self.doc["paths"]]

    @staticmethod
    def _pattern(template):
        segments = ["[^/]+" if re.fullmatch(r"\{[^}]+\}", s) else re.escape(s)
                    for s in template.split("/")]
        return re.compile("/".join(segments))

    def resolve(self, node):
        """The object a `$ref` points to (followed until it is not a $ref)."""
        while isinstance(node, dict) and "$ref" in node:
            target = self.doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def to_json_schema(self, schema):
        """The OpenAPI schema as plain JSON Schema, $refs inlined."""
        schema = dict(self.resolve(schema))
        for key in ("items", "not"):
            if key in schema:
                schema[key] = self.to_json_schema(schema[key])
        if isinstance(schema.get("additionalProperties"), dict):
            schema["additionalProperties"] = self.to_json_schema(schema["additionalProperties"])
        if "properties" in schema:
            schema["properties"] = {name: self.to_json_schema(s)
                                    for name, s in schema["properties"].items()}
        for key in ("allOf", "oneOf", "anyOf"):
            if key in schema:
                schema[key] = [self.to_json_schema(s) for s in schema[key]]
        if schema.pop("nullable", False):
            if "type" in schema:
                schema["type"] = [schema["type"], "null"]
            if "enum" in schema and None not in schema["enum"]:
                schema["enum"] = schema["enum"] + [None]
        return schema

    def validate(self, schema, instance):
        """The messages of every way `instance` breaks `schema` (none: valid)."""
        validator = jsonschema.Draft4Validator(self.to_json_schema(schema))
        messages = []
        for error in validator.iter_errors(instance):
            where = "/".join(str(p) for p in error.absolute_path)
            messages.append(f"{where}: {error.message}" if where else error.message)
        return messages

    def template(self, path):
        """The document's path template that `path` (no query) matches, or None."""
        for pattern, template in self.routes:
            if pattern.fullmatch(path):
                return template
        return None

    def response_key(self, template, method, status):
        """Which response of the document describes this answer: (template,
        method, status key), the status key being the status or "default"."""
        operation = self.doc["paths"][template].get(method)
        if operation is None:
            return None
        responses = operation["responses"]
        key = str(status) if str(status) in responses else "default"
        return (template, method, key) if key in responses else None

    def key_of(self, r):
        """response_key() of one answer (harness.Response), None if its path
        or method is not in the document."""
        template = self.template(urllib.parse.urlsplit(r.path).path)
        if template is None:
            return None
        return self.response_key(template, "get" if r.method == "HEAD" else r.method.lower(),
                                 r.status)

    def documented_responses(self):
        """Every (template, method, status key) the document describes."""
        return {(template, method, status)
                for template, item in self.doc["paths"].items()
                for method, operation in item.items() if method in METHODS
                for status in operation["responses"]}

    def check(self, r):
        """Problems with one answer (harness.Response), as messages; [] if none."""
        where = f"{r.method} {r.path} -> {r.status}"
        path = urllib.parse.urlsplit(r.path).path
        template = self.template(path)
        method = "get" if r.method == "HEAD" else r.method.lower()
        # The document's description: "an unknown path [is] a 404 problem",
        # "any other method is a 405 problem with an Allow header".
        if template is None or method not in self.doc["paths"][template]:
            expected, name = (404, "NotFound") if template is None else (405, "MethodNotAllowed")
            if r.status != expected:
                return [f"{where}: not in the document, yet the answer is no {expected}"]
            response = self.doc["components"]["responses"][name]
            return self._check_headers(where, r, response) + self._check_body(where, r, response)
        key = self.response_key(template, method, r.status)
        if key is None:
            return [f"{where}: status {r.status} is not described for {method} {template}"]
        response = self.resolve(self.doc["paths"][template][method]["responses"][key[2]])
        return self._check_headers(where, r, response) + self._check_body(where, r, response)

    def _check_headers(self, where, r, response):
        problems = []
        for name, header in response.get("headers", {}).items():
            header = self.resolve(header)
            value = r.headers.get(name)
            if value is None:
                if header.get("required"):
                    problems.append(f"{where}: no {name} header")
                continue
            problems += [f"{where}: header {name}: {m}"
                         for m in self.validate(header["schema"], value)]
        return problems

    def _check_body(self, where, r, response):
        content = response.get("content")
        content_type = r.headers.get("Content-Type")
        if not content:
            if r.body or content_type:
                return [f"{where}: a body ({content_type}) where none is described"]
            return []
        media = content.get(content_type) or content.get((content_type or "").split(";")[0])
        if media is None:
            return [f"{where}: content type {content_type}, not one of {sorted(content)}"]
        if r.method == "HEAD":
            return [f"{where}: HEAD with a body"] if r.body else []
        if content_type.split(";")[0].endswith("json"):
            try:
                body = json.loads(r.body)
            except ValueError as e:
                return [f"{where}: not JSON: {e}"]
            return [f"{where}: {m}" for m in self.validate(media["schema"], body)]
        if content_type == "image/svg+xml":
            try:
                root = ElementTree.fromstring(r.body)
            except ElementTree.ParseError as e:
                return [f"{where}: not XML: {e}"]
            if root.tag != "{http://www.w3.org/2000/svg}svg":
                return [f"{where}: the root element is {root.tag}, not svg"]
            return []
        return [] if r.body else [f"{where}: an empty {content_type} body"]
