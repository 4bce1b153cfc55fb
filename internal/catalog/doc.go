// Package catalog loads the requirement catalog (specs/requirements.yaml) and the ambiguity
// register (specs/ambiguities.yaml), checks their structure and cross references, and checks
// that every quoted clause occurs verbatim in the seed documents. Reports, waivers and the
// suites key on the ids it exposes, so it refuses a catalog whose ids or references are broken.
package catalog
