// Package catalog loads the requirement catalog (specs/requirements.yaml) and the ambiguity
// register (specs/ambiguities.yaml) through the JSON Schemas of their formats
// (specs/requirements.schema.json, specs/ambiguities.schema.json: a departure is a
// SchemaError naming the file, line, JSON pointer and rule), checks the cross references the
// schemas cannot see, and checks that every quoted clause occurs verbatim in the seed
// documents. Reports, waivers and the
// suites key on the ids it exposes, so it refuses a catalog whose ids or references are broken.
package catalog
