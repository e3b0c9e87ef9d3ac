//! The OpenAPI 3 document served at `/api/v1/openapi.json`, written by hand beside the routes
//! (a test checks that it lists every route the router serves).

use serde_json::{Value, json};

use benchgate_pipeline::history::DEFAULT_MIN_SEGMENT;

use crate::api::{DEFAULT_LIMIT, MAX_BODY_BYTES, MAX_LIMIT};

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    })
}

fn limit_parameter() -> Value {
    json!({
        "name": "limit", "in": "query", "required": false,
        "description": format!("how many to answer, newest (default {DEFAULT_LIMIT})"),
        "schema": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT }
    })
}

/// The query parameters of `/series` and `/series.csv`.
fn series_parameters() -> Value {
    json!([
        { "name": "bench", "in": "query", "required": true, "schema": { "type": "string" } },
        { "name": "measure", "in": "query", "required": false, "schema": { "type": "string", "default": "wall_time" } },
        limit_parameter(),
        { "name": "fingerprint", "in": "query", "required": false,
          "description": "only the points of machines with this environment fingerprint",
          "schema": { "type": "string" } },
        { "name": "min_segment", "in": "query", "required": false,
          "description": "how many runs a level of the change-point detection lasts at least",
          "schema": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_MIN_SEGMENT } }
    ])
}

/// The document: every endpoint, its parameters and its answers.
pub fn document() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "benchgate server API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The benchgate history store: runs uploaded by CI, read back as runs, benchmarks and series. Errors answer {\"error\": message} with the query `parameter` or the JSON `path` at fault when known."
        },
        "paths": {
            "/api/v1/runs": {
                "get": {
                    "summary": "The stored runs, newest first",
                    "parameters": [limit_parameter()],
                    "responses": {
                        "200": {
                            "description": "run summaries",
                            "content": { "application/json": { "schema": {
                                "type": "array", "items": { "$ref": "#/components/schemas/RunSummary" }
                            } } }
                        },
                        "400": error_response("a bad or unknown query parameter")
                    }
                },
                "post": {
                    "summary": "Store a run (canonical run JSON, schema benchgate/run/v1); needs a write token",
                    "security": [{ "bearer": [] }],
                    "requestBody": {
                        "required": true,
                        "description": format!("at most {MAX_BODY_BYTES} bytes"),
                        "content": { "application/json": { "schema": { "type": "object" } } }
                    },
                    "responses": {
                        "201": {
                            "description": "stored",
                            "content": { "application/json": { "schema": {
                                "type": "object",
                                "properties": { "id": { "type": "string", "format": "uuid" }, "url": { "type": "string" } }
                            } } }
                        },
                        "400": error_response("not a valid run; `path` is the JSON path of the problem"),
                        "401": error_response("no token, or an unknown one"),
                        "403": error_response("a read token: uploading needs a write token"),
                        "409": error_response("a run with this id is already stored"),
                        "413": error_response("the body is larger than the limit")
                    }
                }
            },
            "/api/v1/runs/{id}": {
                "get": {
                    "summary": "One stored run as canonical JSON (as `benchgate export` prints it)",
                    "parameters": [{
                        "name": "id", "in": "path", "required": true,
                        "schema": { "type": "string", "format": "uuid" }
                    }],
                    "responses": {
                        "200": { "description": "the run", "content": { "application/json": { "schema": { "type": "object" } } } },
                        "400": error_response("the id is not a UUID"),
                        "404": error_response("no stored run has this id")
                    }
                }
            },
            "/api/v1/benchmarks": {
                "get": {
                    "summary": "Every benchmark with a stored measurement, by name",
                    "responses": {
                        "200": {
                            "description": "benchmarks",
                            "content": { "application/json": { "schema": {
                                "type": "array",
                                "items": { "type": "object", "properties": { "name": { "type": "string" } } }
                            } } }
                        }
                    }
                }
            },
            "/api/v1/series": {
                "get": {
                    "summary": "One benchmark's history of one measure, oldest first (as `benchgate history --json`)",
                    "parameters": series_parameters(),
                    "responses": {
                        "200": {
                            "description": "the series",
                            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Series" } } }
                        },
                        "400": error_response("a missing, bad or unknown query parameter"),
                        "404": error_response("no stored run has this benchmark and measure")
                    }
                }
            },
            "/api/v1/series.csv": {
                "get": {
                    "summary": "The same points as /api/v1/series, as CSV (as `benchgate export --format csv`)",
                    "parameters": series_parameters(),
                    "responses": {
                        "200": {
                            "description": "a header row benchmark,measure,run_id,started_at,commit,fingerprint,value,unit, then one row per point, oldest first",
                            "content": { "text/csv; charset=utf-8": { "schema": { "type": "string" } } }
                        },
                        "400": error_response("a missing, bad or unknown query parameter"),
                        "404": error_response("no stored run has this benchmark and measure")
                    }
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": { "200": { "description": "the OpenAPI document", "content": { "application/json": {} } } }
                }
            }
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http", "scheme": "bearer",
                    "description": "a token of `benchgate token create`; reads need one only on a server started with --private"
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": { "type": "string" },
                        "parameter": { "type": "string" },
                        "path": { "type": "string" }
                    }
                },
                "RunSummary": {
                    "type": "object",
                    "properties": {
                        "id": { "type": "string", "format": "uuid" },
                        "started_at": { "type": "string", "format": "date-time" },
                        "source": { "type": "string" },
                        "mode": { "type": "string" },
                        "commit": { "type": "string", "nullable": true },
                        "branch": { "type": "string", "nullable": true },
                        "fingerprint": { "type": "string" },
                        "benchmarks": { "type": "integer" }
                    }
                },
                "Series": {
                    "type": "object",
                    "properties": {
                        "schema": { "type": "string" },
                        "benchmark": { "type": "string" },
                        "measure": { "type": "string" },
                        "fingerprint": { "type": "string", "nullable": true },
                        "points": { "type": "array", "items": {
                            "type": "object",
                            "properties": {
                                "run_id": { "type": "string", "format": "uuid" },
                                "started_at": { "type": "string", "format": "date-time" },
                                "commit": { "type": "string", "nullable": true },
                                "fingerprint": { "type": "string" },
                                "median": { "type": "number" }
                            }
                        } },
                        "change_points": { "type": "array", "items": {
                            "type": "object",
                            "properties": {
                                "index": { "type": "integer" },
                                "run_id": { "type": "string", "format": "uuid" },
                                "before_median": { "type": "number" },
                                "after_median": { "type": "number" },
                                "relative_shift": { "type": "number" }
                            }
                        } }
                    }
                }
            }
        }
    })
}
