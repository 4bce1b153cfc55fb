package vbs_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/koobackup/conformance/internal/conformance"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The header name, path and enum come from the spec, never from literals here.
var (
	limits      = contract.Default().Constraints().VBS
	volumeType  = limits.ResourceTypes[0]
	unsupported = "server"
)

// errorSpec labels a spec whose answer is a documented error.
func errorSpec(ids ...specfacts.RequirementID) Labels {
	return conformance.Req(append(ids, specfacts.ReqVBSErrorEnvelopeShape, specfacts.ReqVBSDocumentedStatus)...)
}

// answerSpec labels a spec whose answer is a 200 with the two resource lists.
func answerSpec(ids ...specfacts.RequirementID) Labels {
	return conformance.Req(append(ids, specfacts.ReqVBSResponse200Shape, specfacts.ReqVBSEachResourceOnce, specfacts.ReqVBSResourceTypeEcho, specfacts.ReqVBSDocumentedStatus)...)
}

// freeOrUnknown returns the reserved free volume when the target allows state-changing
// requests and the pool could serve it, otherwise a volume that does not exist, so that a
// read-only target is never sent a request that a faulty server could act on. The volume
// that does not exist is a fresh synthetic one, private to the spec: its control request is
// valid, and whatever a faulty server makes of it must not change what another spec's
// unknown volume looks like.
func freeOrUnknown(env *conformance.Env, r *conformance.Reservation) []string {
	if env.Target.AllowMutating && r.Available() {
		return r.IDs()
	}
	return conformance.SyntheticUUIDs(1)
}

// controlUnlessFree is the control request of a negative spec: none when the spec names the
// reserved free volume (a server that skips the check would associate it, so the probe alone
// can fail), else the same request without the fault. It must never carry a free volume.
func controlUnlessFree(env *conformance.Env, r *conformance.Reservation, control conformance.Request) *conformance.Request {
	if env.Target.AllowMutating && r.Available() {
		return nil
	}
	return &control
}

// unknownVolumes returns volumes that do not exist: the target's, or synthetic ones.
func unknownVolumes(env *conformance.Env, n int) []string {
	ids := env.Target.VBS.UnknownVolumeIDs
	if len(ids) >= n {
		return ids[:n]
	}
	return conformance.SyntheticUUIDs(n)
}

var _ = Describe("VBS POST /v2/{project_id}/backuppolicyresources", Label("api:vbs"), func() {
	var env *conformance.Env
	BeforeEach(func() { env = conformance.Current() })

	// validUnknown is a well-formed request naming only volumes that do not exist, so that
	// no server, however faulty, could bind anything real with it.
	validUnknown := func() conformance.Request {
		return env.VBSRequest(env.Target.VBS.BackupPolicyID, env.Volumes(unknownVolumes(env, 1)...))
	}

	Context("authentication", func() {
		// The token is the one fault: the request names a free volume where the target
		// allows it (a server that does not authenticate would associate it), otherwise a
		// volume that does not exist, which no server could bind. Each spec names a volume
		// of its own, so a server that wrongly associates one binds only that spec's volume.
		authClaim := func(name string) *conformance.Reservation {
			return conformance.Reserve(conformance.FreeVolumes, "vbs/authentication/"+name, 1)
		}
		authRequest := func(claim *conformance.Reservation) conformance.Request {
			return env.VBSRequest(env.Target.VBS.BackupPolicyID, env.Volumes(freeOrUnknown(env, claim)...))
		}

		missingToken := authClaim("missing-token")
		/*
			Testname: VBS, missing X-Auth-Token
			Requirement: vbs-auth-token-required
			Description: A request without X-Auth-Token MUST be rejected with 401 and the
			error envelope, or by an API gateway in front with 401 and its APIGW body (register
			vbs-auth-header). The request is otherwise valid: it names a free volume when the
			target allows it, a volume that does not exist otherwise.
		*/
		It("rejects a request without X-Auth-Token with 401", errorSpec(specfacts.ReqVBSAuthTokenRequired), func() {
			env.ExpectReading(env.Send(authRequest(missingToken).WithoutHeader(limits.TokenHeader)), specfacts.AmbVBSAuthHeader, conformance.Probe{})
		})

		emptyToken := authClaim("empty-token")
		/*
			Testname: VBS, empty X-Auth-Token
			Requirement: vbs-auth-token-required
			Description: A request whose X-Auth-Token is empty MUST be rejected with 401 and the
			error envelope, or by an API gateway's 401 (register vbs-auth-header).
		*/
		It("rejects a request with an empty X-Auth-Token with 401", errorSpec(specfacts.ReqVBSAuthTokenRequired), func() {
			env.ExpectReading(env.Send(authRequest(emptyToken).WithHeader(limits.TokenHeader, "")), specfacts.AmbVBSAuthHeader, conformance.Probe{})
		})

		invalidToken := authClaim("invalid-token")
		/*
			Testname: VBS, invalid X-Auth-Token
			Requirement: vbs-invalid-token
			Description: A request whose X-Auth-Token is not a valid token MUST be rejected with
			401 and the error envelope, or by an API gateway's 401 (register vbs-auth-header).
		*/
		It("rejects an invalid token with 401", errorSpec(specfacts.ReqVBSInvalidToken), func() {
			forged := "invalid-token-" + conformance.SyntheticProjectID()
			env.ExpectReading(env.Send(authRequest(invalidToken).WithHeader(limits.TokenHeader, forged)), specfacts.AmbVBSAuthHeader, conformance.Probe{})
		})

		mismatchClaim := conformance.Reserve(conformance.FreeVolumes, "vbs/project-mismatch", 1)
		/*
			Testname: VBS, token used on another project
			Requirement: vbs-project-mismatch
			Description: A valid token used on a project_id it does not belong to MUST be
			rejected with 403 (or 404, register vbs-status-mapping) and the error envelope.
			The request names a free volume of the token's project when the target allows
			it, so that an implementation that ignores the project cannot hide behind the
			answer for an unknown volume; otherwise, when the same request on the token's own
			project is answered alike, the spec is inconclusive.
		*/
		It("rejects a valid token on another project with 403", errorSpec(specfacts.ReqVBSProjectMismatch), func() {
			other := conformance.SyntheticProjectID()
			req := env.VBSRequest(env.Target.VBS.BackupPolicyID, env.Volumes(freeOrUnknown(env, mismatchClaim)...))
			env.ExpectReadingUnlike(env.Send(env.OnProject(req, other)), specfacts.AmbVBSStatusMapping, conformance.Probe{},
				controlUnlessFree(env, mismatchClaim, req), "the other project")
		})
	})

	/*
		Testname: VBS, unknown backup policy
		Requirement: vbs-unknown-policy
		Description: A backup_policy_id that does not exist MUST be rejected with 404 and the
		error envelope (or 400, or a 200 in which every resource failed: register
		vbs-unknown-policy-reporting); no resource is associated. The request names a
		synthetic volume that does not exist, so the same request with the existing policy is
		sent as a control: when it is answered alike, the spec is inconclusive.
	*/
	It("rejects a policy that does not exist", errorSpec(specfacts.ReqVBSUnknownPolicy, specfacts.ReqVBSResponse200Shape), func() {
		// A private volume that does not exist: the control is a valid request for it.
		requested := env.Volumes(conformance.SyntheticUUIDs(1)...)
		x := env.Send(env.VBSRequest(env.Target.VBS.UnknownBackupPolicyID, requested))
		control := env.VBSRequest(env.Target.VBS.BackupPolicyID, requested)
		env.ExpectReadingUnlike(x, specfacts.AmbVBSUnknownPolicyReporting, conformance.Probe{Resources: requested}, &control, "the unknown backup_policy_id")
	})

	Context("an unknown policy with a free volume", Ordered, ContinueOnFailure, func() {
		claim := conformance.Reserve(conformance.FreeVolumes, "vbs/unknown-policy", 1)

		/*
			Testname: VBS, unknown policy binds nothing
			Requirement: vbs-unknown-policy
			Description: A request naming an unknown policy and a free volume MUST NOT report
			the volume as associated.
		*/
		It("does not associate the volume", conformance.Mutating, errorSpec(specfacts.ReqVBSUnknownPolicy, specfacts.ReqVBSResponse200Shape), func() {
			requested := env.Volumes(claim.IDs()...)
			x := env.Send(env.VBSRequest(env.Target.VBS.UnknownBackupPolicyID, requested))
			env.ExpectReading(x, specfacts.AmbVBSUnknownPolicyReporting, conformance.Probe{Resources: requested})
		})

		/*
			Testname: VBS, the volume is still free afterwards
			Requirement: vbs-unknown-policy, vbs-associate-operation
			Description: The volume of the refused request MUST still be associated with the
			existing policy by a valid request afterwards. When the request before was wrongly
			carried out, the volume is bound and the spec is inconclusive, naming it.
		*/
		It("still associates the volume with the existing policy afterwards", conformance.Mutating, answerSpec(specfacts.ReqVBSUnknownPolicy, specfacts.ReqVBSAssociateOperation), func() {
			requested := env.Volumes(claim.Remaining(1)...)
			res := env.ExpectAssociate(env.Send(env.VBSRequest(env.Target.VBS.BackupPolicyID, requested)), requested)
			Expect(res.Succeeded(requested[0].ID)).To(BeTrue(), "the free volume must be in success_resources")
		})
	})

	// Each body names a free volume of its own: a server that reads one missing or mistyped
	// member anyway binds only that entry's volume.
	memberClaim := func(entry string) *conformance.Reservation {
		return conformance.Reserve(conformance.FreeVolumes, "vbs/missing-or-mistyped-member/"+entry, 1)
	}
	/*
		Testname: VBS, required members and types
		Requirement: vbs-backup-policy-id-required, vbs-resources-required, vbs-resource-fields-required, vbs-field-types
		Description: A body missing backup_policy_id, resources, resource_id or resource_type,
		or whose members have the wrong JSON type, MUST be rejected with 400 and the error
		envelope. The body names a free volume when the target allows it, so that a server
		that reads a missing or mistyped member anyway would associate it; on a read-only
		target it names a volume that does not exist, and when the valid request for it is
		answered alike (a 400 for an unknown volume), the spec is inconclusive.
	*/
	DescribeTable("rejects a body with a missing or mistyped member with 400",
		func(claim *conformance.Reservation, mutate func(body map[string]any, volume string)) {
			volume := freeOrUnknown(env, claim)[0]
			body := map[string]any{
				"backup_policy_id": env.Target.VBS.BackupPolicyID,
				"resources":        []any{map[string]any{"resource_id": volume, "resource_type": volumeType}},
			}
			mutate(body, volume)
			control := env.VBSRequest(env.Target.VBS.BackupPolicyID, env.Volumes(volume))
			env.ExpectVBSErrorUnlike(env.Send(env.VBSJSON(body)), http.StatusBadRequest, controlUnlessFree(env, claim, control), "the missing or mistyped member")
		},
		Entry("without backup_policy_id", errorSpec(specfacts.ReqVBSBackupPolicyIDRequired), memberClaim("without backup_policy_id"), func(b map[string]any, _ string) { delete(b, "backup_policy_id") }),
		Entry("without resources", errorSpec(specfacts.ReqVBSResourcesRequired), memberClaim("without resources"), func(b map[string]any, _ string) { delete(b, "resources") }),
		Entry("a resource without resource_id", errorSpec(specfacts.ReqVBSResourceFieldsRequired), memberClaim("a resource without resource_id"), func(b map[string]any, _ string) {
			b["resources"] = []any{map[string]any{"resource_type": volumeType}}
		}),
		Entry("a resource without resource_type", errorSpec(specfacts.ReqVBSResourceFieldsRequired), memberClaim("a resource without resource_type"), func(b map[string]any, v string) {
			b["resources"] = []any{map[string]any{"resource_id": v}}
		}),
		Entry("backup_policy_id a number", errorSpec(specfacts.ReqVBSFieldTypes), memberClaim("backup_policy_id a number"), func(b map[string]any, _ string) { b["backup_policy_id"] = 42 }),
		Entry("backup_policy_id null", errorSpec(specfacts.ReqVBSFieldTypes), memberClaim("backup_policy_id null"), func(b map[string]any, _ string) { b["backup_policy_id"] = nil }),
		Entry("resources an object", errorSpec(specfacts.ReqVBSFieldTypes), memberClaim("resources an object"), func(b map[string]any, v string) {
			b["resources"] = map[string]any{"resource_id": v, "resource_type": volumeType}
		}),
		Entry("resources a string", errorSpec(specfacts.ReqVBSFieldTypes), memberClaim("resources a string"), func(b map[string]any, v string) { b["resources"] = v }),
		Entry("resources null", errorSpec(specfacts.ReqVBSFieldTypes), memberClaim("resources null"), func(b map[string]any, _ string) { b["resources"] = nil }),
		Entry("resources of strings", errorSpec(specfacts.ReqVBSFieldTypes), memberClaim("resources of strings"), func(b map[string]any, v string) { b["resources"] = []any{v} }),
		Entry("resource_id a number", errorSpec(specfacts.ReqVBSFieldTypes), memberClaim("resource_id a number"), func(b map[string]any, _ string) {
			b["resources"] = []any{map[string]any{"resource_id": 7, "resource_type": volumeType}}
		}),
		Entry("resource_type a number", errorSpec(specfacts.ReqVBSFieldTypes), memberClaim("resource_type a number"), func(b map[string]any, v string) {
			b["resources"] = []any{map[string]any{"resource_id": v, "resource_type": 1}}
		}),
		Entry("resource_type null", errorSpec(specfacts.ReqVBSFieldTypes), memberClaim("resource_type null"), func(b map[string]any, v string) {
			b["resources"] = []any{map[string]any{"resource_id": v, "resource_type": nil}}
		}),
	)

	/*
		Testname: VBS, malformed JSON
		Requirement: vbs-malformed-json
		Description: A body that is not valid JSON, or not a JSON object, MUST be rejected with
		400 and the error envelope.
	*/
	DescribeTable("rejects a body that is not a JSON object with 400",
		func(body string) {
			env.ExpectVBSError(env.Send(env.VBSRaw([]byte(body))), http.StatusBadRequest)
		},
		Entry("empty body", errorSpec(specfacts.ReqVBSMalformedJSON), ``),
		Entry("truncated object", errorSpec(specfacts.ReqVBSMalformedJSON), `{"backup_policy_id":"p","resources":[`),
		Entry("not JSON at all", errorSpec(specfacts.ReqVBSMalformedJSON), `backup_policy_id=p`),
		Entry("a JSON array", errorSpec(specfacts.ReqVBSMalformedJSON), `[{"resource_id":"cfx-none-1","resource_type":"`+string(specfacts.ResourceTypeVolume)+`"}]`),
		Entry("JSON null", errorSpec(specfacts.ReqVBSMalformedJSON), `null`),
	)

	/*
		Testname: VBS, empty resources
		Requirement: vbs-empty-resources
		Description: An empty resources list MUST be rejected with 400 and the envelope, or
		answered 200 with both lists empty (register vbs-empty-resources); never a 5xx.
	*/
	It("rejects an empty resources list, or reports nothing", errorSpec(specfacts.ReqVBSEmptyResources), func() {
		env.ExpectReading(env.Send(env.VBSRequest(env.Target.VBS.BackupPolicyID, nil)), specfacts.AmbVBSEmptyResources, conformance.Probe{})
	})

	typeClaim := conformance.Reserve(conformance.FreeVolumes, "vbs/unsupported-type", 1)
	/*
		Testname: VBS, unsupported resource type
		Requirement: vbs-resource-type-enum
		Description: A free volume named with a resource_type other than volume MUST NOT be
		associated: 200 with it in fail_resources, or 400 with the envelope (register
		vbs-unsupported-resource-type).
	*/
	It("does not associate a resource of an unsupported type", conformance.Mutating, errorSpec(specfacts.ReqVBSResourceTypeEnum, specfacts.ReqVBSEachResourceOnce), func() {
		Expect(slices.Contains(limits.ResourceTypes, unsupported)).To(BeFalse(), "suite bug: %q is a documented type", unsupported)
		requested := []conformance.Resource{{ID: typeClaim.IDs()[0], Type: unsupported}}
		x := env.Send(env.VBSRequest(env.Target.VBS.BackupPolicyID, requested))
		env.FirstUse(x, func() {
			env.ExpectReading(x, specfacts.AmbVBSUnsupportedResourceType, conformance.Probe{Resources: requested})
		})
	})

	/*
		Testname: VBS, unknown volume
		Requirement: vbs-unknown-volume-fails
		Description: A volume that does not exist MUST NOT be reported as associated: 200 with
		it in fail_resources with a code and a message, or a request error 400/404 with the
		envelope (register vbs-unknown-volume-reporting).
	*/
	It("reports a volume that does not exist as failed", answerSpec(specfacts.ReqVBSUnknownVolumeFails, specfacts.ReqVBSErrorEnvelopeShape), func() {
		requested := env.Volumes(unknownVolumes(env, 1)...)
		x := env.Send(env.VBSRequest(env.Target.VBS.BackupPolicyID, requested))
		env.ExpectReading(x, specfacts.AmbVBSUnknownVolumeReporting, conformance.Probe{Resources: requested})
	})

	/*
		Testname: VBS, a failed resource's code and message
		Requirement: vbs-response-200-shape
		Description: A resource in fail_resources MUST carry a non-empty string code and
		message and its resource_type. The probe names a volume that does not exist; a target
		that refuses it as a whole request (vbs-unknown-volume-reporting: request-error)
		shows no fail_resources entry, and the spec is then inconclusive, never passed.
	*/
	It("reports a failed resource with its code, message and type", answerSpec(), func() {
		requested := env.Volumes(unknownVolumes(env, 1)...)
		x := env.Send(env.VBSRequest(env.Target.VBS.BackupPolicyID, requested))
		j := env.ExpectReading(x, specfacts.AmbVBSUnknownVolumeReporting, conformance.Probe{Resources: requested})
		if j.Refused {
			conformance.Inconclusive(fmt.Sprintf("the target refuses a volume that does not exist as a whole request with %d (register entry %s, reading %s), so no fail_resources entry shows whether failures carry a code and a message",
				x.Status, specfacts.AmbVBSUnknownVolumeReporting, j.Reading()))
		}
		Expect(j.Result.Fail).To(HaveLen(1), "the volume that does not exist must be the one entry of fail_resources")
	})

	Context("a free and an unknown volume together", Ordered, ContinueOnFailure, func() {
		claim := conformance.Reserve(conformance.FreeVolumes, "vbs/partial-failure", 1)
		wholeRequestRefused := false

		/*
			Testname: VBS, partial failure
			Requirement: vbs-partial-failure
			Description: A request naming a free and an unknown volume MUST answer 200 with the
			free one in success_resources and the unknown one in fail_resources — or, under the
			request-error reading of vbs-unknown-volume-reporting, refuse the whole request
			with 400/404 and bind nothing.
		*/
		It("associates the free volume and fails the unknown one", conformance.Mutating, answerSpec(specfacts.ReqVBSPartialFailure), func() {
			requested := env.Volumes(claim.IDs()[0], unknownVolumes(env, 1)[0])
			x := env.Send(env.VBSRequest(env.Target.VBS.BackupPolicyID, requested))
			var j conformance.Judgement
			env.FirstUse(x, func() {
				j = env.ExpectReading(x, specfacts.AmbVBSUnknownVolumeReporting, conformance.Probe{Resources: requested, Subjects: []string{requested[1].ID}})
			})
			wholeRequestRefused = j.Refused
		})

		/*
			Testname: VBS, a refused mixed request binds nothing
			Requirement: vbs-partial-failure
			Description: When the whole mixed request was refused, its free volume MUST still be
			associated by a valid request afterwards.
		*/
		It("binds nothing when it refuses the whole request", conformance.Mutating, answerSpec(specfacts.ReqVBSPartialFailure), func() {
			if !wholeRequestRefused {
				conformance.NotApplicable("the mixed request was answered per resource (vbs-unknown-volume-reporting: per-resource); nothing to re-check")
			}
			requested := env.Volumes(claim.Remaining(1)[0])
			res := env.ExpectAssociate(env.Send(env.VBSRequest(env.Target.VBS.BackupPolicyID, requested)), requested)
			Expect(res.Succeeded(requested[0].ID)).To(BeTrue(), "the free volume of the refused request must still be free")
		})
	})

	okClaim := conformance.Reserve(conformance.FreeVolumes, "vbs/associate", 2)
	/*
		Testname: VBS, associate free volumes
		Requirement: vbs-associate-operation
		Description: Free volumes MUST be associated with an existing policy: 200, each
		exactly once in success_resources with its type echoed.
	*/
	It("associates free volumes with the policy", conformance.Mutating, answerSpec(specfacts.ReqVBSAssociateOperation), func() {
		requested := env.Volumes(okClaim.IDs()...)
		res := env.ExpectAssociate(env.Send(env.VBSRequest(env.Target.VBS.BackupPolicyID, requested)), requested)
		for _, r := range requested {
			Expect(res.Succeeded(r.ID)).To(BeTrue(), "free volume %q must be in success_resources", r.ID)
		}
	})

	Context("a volume already bound to the policy", Ordered, ContinueOnFailure, func() {
		claim := conformance.Reserve(conformance.FreeVolumes, "vbs/reassociate", 1)

		/*
			Testname: VBS, first association
			Requirement: vbs-associate-operation
			Description: A free volume MUST be associated: 200 with it in success_resources.
		*/
		It("associates the volume", conformance.Mutating, answerSpec(specfacts.ReqVBSAssociateOperation), func() {
			requested := env.Volumes(claim.IDs()...)
			x := env.Send(env.VBSRequest(env.Target.VBS.BackupPolicyID, requested))
			env.FirstUse(x, func() {
				res := env.ExpectAssociate(x, requested)
				Expect(res.Succeeded(requested[0].ID)).To(BeTrue(), "the free volume must be in success_resources")
			})
		})

		/*
			Testname: VBS, repeated association
			Requirement: vbs-reassociate
			Description: Associating the same volume again MUST NOT be a 5xx nor report it in
			both lists: 200 with it in fail_resources, 200 with it in success_resources
			(idempotent), or 409 with the envelope (register vbs-reassociate). The volume is
			shared with the spec before on purpose; when that spec did not bind it, this one
			is inconclusive.
		*/
		It("answers a repeated association without contradiction", conformance.Mutating, answerSpec(specfacts.ReqVBSReassociate), func() {
			requested := env.Volumes(claim.IDs()...)
			if !claim.ConsumedInRun(requested[0].ID) {
				conformance.Inconclusive("the first association before this spec did not bind the volume, so there is nothing to associate again; that spec's finding explains it")
			}
			x := env.Send(env.VBSRequest(env.Target.VBS.BackupPolicyID, requested))
			env.ExpectReading(x, specfacts.AmbVBSReassociate, conformance.Probe{Resources: requested})
		})
	})

	dupClaim := conformance.Reserve(conformance.FreeVolumes, "vbs/duplicates", 1)
	/*
		Testname: VBS, the same volume twice
		Requirement: vbs-duplicate-resources
		Description: A list naming one free volume twice MUST be rejected with 400, or answered
		200 with the volume associated and reported exactly once (register
		vbs-duplicate-resources; once per entry is a rejected reading); never a 5xx, never an
		unrequested resource.
	*/
	It("rejects a repeated volume, or associates it once", conformance.Mutating, conformance.Req(specfacts.ReqVBSDuplicateResources, specfacts.ReqVBSResponse200Shape, specfacts.ReqVBSEachResourceOnce, specfacts.ReqVBSDocumentedStatus), func() {
		v := env.Volumes(dupClaim.IDs()[0])[0]
		requested := []conformance.Resource{v, v}
		x := env.Send(env.VBSRequest(env.Target.VBS.BackupPolicyID, requested))
		env.FirstUse(x, func() {
			env.ExpectReading(x, specfacts.AmbVBSDuplicateResources, conformance.Probe{Resources: requested})
		})
	})

	extraClaim := conformance.Reserve(conformance.FreeVolumes, "vbs/unknown-fields", 1)
	/*
		Testname: VBS, unknown members in the body
		Requirement: vbs-unknown-fields
		Description: A valid request carrying a member the table does not list MUST either be
		judged without it (200, volume associated) or be rejected with 400 and the envelope
		(register vbs-unknown-fields).
	*/
	It("ignores or rejects unknown members", conformance.Mutating, conformance.Req(specfacts.ReqVBSUnknownFields, specfacts.ReqVBSDocumentedStatus), func() {
		requested := env.Volumes(extraClaim.IDs()...)
		x := env.Send(env.VBSJSON(map[string]any{
			"backup_policy_id": env.Target.VBS.BackupPolicyID, "resources": requested, "conformance_probe": "unknown member"}))
		env.FirstUse(x, func() {
			env.ExpectReading(x, specfacts.AmbVBSUnknownFields, conformance.Probe{Resources: requested})
		})
	})

	ctClaim := conformance.Reserve(conformance.FreeVolumes, "vbs/content-type", 1)
	/*
		Testname: VBS, body sent as text/plain
		Requirement: vbs-content-type
		Description: A valid request for a free volume sent with Content-Type text/plain MUST
		NOT be answered with a 5xx: 400 with the envelope, or parsed as JSON and the volume
		associated (register vbs-content-type).
	*/
	It("rejects a valid request sent as text/plain, or parses it", conformance.Mutating, conformance.Req(specfacts.ReqVBSContentType, specfacts.ReqVBSDocumentedStatus), func() {
		requested := env.Volumes(ctClaim.IDs()...)
		x := env.Send(env.VBSRequest(env.Target.VBS.BackupPolicyID, requested).WithHeader("Content-Type", "text/plain"))
		env.FirstUse(x, func() {
			env.ExpectReading(x, specfacts.AmbVBSContentType, conformance.Probe{Resources: requested})
		})
	})

	/*
		Testname: VBS, oversized body
		Requirement: vbs-oversized-body
		Description: A body over 1 MiB MUST be refused as a request error — 400 with the
		envelope, 413 from the transport, or judged on its content — never a 5xx, a hang or a
		dropped connection (register vbs-oversized-body-status). The size is the one fault:
		the body is a valid request padded with JSON white space, not with an unknown member.
	*/
	It("refuses a body over 1 MiB as a request error", conformance.Req(specfacts.ReqVBSOversizedBody, specfacts.ReqVBSDocumentedStatus), func() {
		requested := env.Volumes(unknownVolumes(env, 1)...)
		body, _ := json.Marshal(map[string]any{"backup_policy_id": env.Target.VBS.BackupPolicyID, "resources": requested})
		padded := append(body[:len(body)-1:len(body)-1], []byte(strings.Repeat(" ", specfacts.RequestBodyLimit+specfacts.RequestBodyLimit/4)+"}")...)
		env.ExpectReading(env.Send(env.VBSRaw(padded)), specfacts.AmbVBSOversizedBodyStatus, conformance.Probe{Resources: requested})
	})

	// Each method has a free volume of its own: a server that wrongly carries out one method
	// binds only that entry's volume.
	methodClaim := func(entry string) *conformance.Reservation {
		return conformance.Reserve(conformance.FreeVolumes, "vbs/other-method/"+entry, 1)
	}
	/*
		Testname: VBS, another method on the path
		Requirement: vbs-method-not-allowed
		Description: A GET, PUT or DELETE on the operation's path MUST be refused with 405
		and the error envelope, or 404 or 405 with a body of its own from a router or gateway
		(register vbs-method-not-allowed); never a 2xx or a 5xx. PUT carries a valid body naming a free
		volume when the target allows it (a server that ignores the method would associate
		it); otherwise a volume that does not exist, and when the same request sent with POST
		is answered alike, the spec is inconclusive.
	*/
	DescribeTable("refuses another method with 405, or 404 from a router",
		func(claim *conformance.Reservation, method string, withBody bool) {
			post := env.VBSRequest(env.Target.VBS.BackupPolicyID, env.Volumes(freeOrUnknown(env, claim)...))
			req := post
			req.Method = method
			if !withBody {
				req.Body = nil
				req = req.WithoutHeader("Content-Type")
			}
			x := env.Send(req).OffRoute()
			env.ExpectReadingUnlike(x, specfacts.AmbVBSMethodNotAllowed, conformance.Probe{}, controlUnlessFree(env, claim, post), "the method "+method)
		},
		Entry("GET", conformance.Req(specfacts.ReqVBSMethodNotAllowed, specfacts.ReqVBSDocumentedStatus), methodClaim("GET"), http.MethodGet, false),
		Entry("PUT with a valid body", conformance.Req(specfacts.ReqVBSMethodNotAllowed, specfacts.ReqVBSDocumentedStatus), methodClaim("PUT"), http.MethodPut, true),
		Entry("DELETE", conformance.Req(specfacts.ReqVBSMethodNotAllowed, specfacts.ReqVBSDocumentedStatus), methodClaim("DELETE"), http.MethodDelete, false),
	)

	acceptClaim := conformance.Reserve(conformance.FreeVolumes, "vbs/not-acceptable", 1)
	/*
		Testname: VBS, Accept that admits no JSON
		Requirement: vbs-not-acceptable
		Description: A valid request for a free volume whose Accept names only
		application/xml MUST be answered 406 with the error envelope, or have Accept
		disregarded and the volume associated with the usual JSON answer (register
		vbs-not-acceptable); never a 5xx.
	*/
	It("answers Accept: application/xml with 406, or disregards it", conformance.Mutating, conformance.Req(specfacts.ReqVBSNotAcceptable, specfacts.ReqVBSDocumentedStatus), func() {
		requested := env.Volumes(acceptClaim.IDs()...)
		x := env.Send(env.VBSRequest(env.Target.VBS.BackupPolicyID, requested).WithHeader("Accept", "application/xml"))
		env.FirstUse(x, func() {
			env.ExpectReading(x, specfacts.AmbVBSNotAcceptable, conformance.Probe{Resources: requested})
		})
	})

	charsetClaim := conformance.Reserve(conformance.FreeVolumes, "vbs/json-charset", 1)
	/*
		Testname: VBS, JSON with a charset parameter
		Requirement: vbs-json-charset
		Description: A valid request for a free volume sent with Content-Type
		application/json;charset=UTF-8, as common SDKs send it, MUST be processed like one
		sent as application/json: 200 with the volume in success_resources.
	*/
	It("accepts Content-Type application/json;charset=UTF-8", conformance.Mutating, answerSpec(specfacts.ReqVBSJSONCharset), func() {
		requested := env.Volumes(charsetClaim.IDs()...)
		x := env.Send(env.VBSRequest(env.Target.VBS.BackupPolicyID, requested).WithHeader("Content-Type", "application/json;charset=UTF-8"))
		env.FirstUse(x, func() {
			res := env.ExpectAssociate(x, requested)
			Expect(res.Succeeded(requested[0].ID)).To(BeTrue(), "the free volume must be in success_resources")
		})
	})

	/*
		Testname: VBS, JSON with a charset parameter, read-only
		Requirement: vbs-json-charset
		Description: A request for a synthetic volume that does not exist, sent with
		Content-Type application/json;charset=UTF-8, MUST be answered exactly as the same
		request sent as application/json (same status and error code). When that request is
		itself refused with 400, a refused charset would look the same and the spec is
		inconclusive.
	*/
	It("answers a request with a charset parameter like the same request without it", conformance.Req(specfacts.ReqVBSJSONCharset, specfacts.ReqVBSDocumentedStatus), func() {
		plain := env.VBSRequest(env.Target.VBS.BackupPolicyID, env.Volumes(conformance.SyntheticUUIDs(1)...))
		x := env.Send(plain.WithHeader("Content-Type", "application/json;charset=UTF-8"))
		env.ExpectAnsweredLike(x, plain, "the charset parameter")
	})

	Context("empty ids", func() {
		emptyPolicyClaim := conformance.Reserve(conformance.FreeVolumes, "vbs/empty-policy-id", 1)
		/*
			Testname: VBS, empty backup_policy_id
			Requirement: vbs-empty-ids
			Description: An empty backup_policy_id MUST be refused with 400 and the envelope,
			or answered as an unknown policy (404, or 200 with every resource failed; register
			vbs-empty-policy-id); nothing is associated. The request names a free volume when
			the target allows it; otherwise a volume that does not exist, and when the same
			request with the existing policy is answered alike, the spec is inconclusive.
		*/
		It("refuses an empty backup_policy_id", errorSpec(specfacts.ReqVBSEmptyIDs, specfacts.ReqVBSResponse200Shape), func() {
			requested := env.Volumes(freeOrUnknown(env, emptyPolicyClaim)...)
			x := env.Send(env.VBSRequest("", requested))
			control := env.VBSRequest(env.Target.VBS.BackupPolicyID, requested)
			env.ExpectReadingUnlike(x, specfacts.AmbVBSEmptyPolicyID, conformance.Probe{Resources: requested},
				controlUnlessFree(env, emptyPolicyClaim, control), "the empty backup_policy_id")
		})

		/*
			Testname: VBS, empty resource_id
			Requirement: vbs-empty-ids
			Description: A resource whose resource_id is empty MUST be refused with 400 and the
			envelope, or reported as a volume that does not exist (in fail_resources, or 404;
			register vbs-empty-resource-id); never reported associated.
		*/
		It("refuses an empty resource_id", answerSpec(specfacts.ReqVBSEmptyIDs, specfacts.ReqVBSErrorEnvelopeShape), func() {
			requested := env.Volumes("")
			x := env.Send(env.VBSRequest(env.Target.VBS.BackupPolicyID, requested))
			env.ExpectReading(x, specfacts.AmbVBSEmptyResourceID, conformance.Probe{Resources: requested})
		})

		emptyProjectClaim := conformance.Reserve(conformance.FreeVolumes, "vbs/empty-project-id", 1)
		/*
			Testname: VBS, empty project_id
			Requirement: vbs-empty-ids
			Description: A request whose project_id path segment is empty MUST be refused with
			404 (or 400 or a redirect to the cleaned path from a router, or 403 with the
			envelope; register vbs-empty-project-id); never a 2xx or a 5xx. The request names a free volume when the target allows it; otherwise a
			volume that does not exist, and when the same request on the token's project is
			answered alike, the spec is inconclusive.
		*/
		It("refuses an empty project_id", conformance.Req(specfacts.ReqVBSEmptyIDs, specfacts.ReqVBSDocumentedStatus), func() {
			req := env.VBSRequest(env.Target.VBS.BackupPolicyID, env.Volumes(freeOrUnknown(env, emptyProjectClaim)...))
			x := env.Send(env.OnProject(req, "")).OffRoute()
			env.ExpectReadingUnlike(x, specfacts.AmbVBSEmptyProjectID, conformance.Probe{},
				controlUnlessFree(env, emptyProjectClaim, req), "the empty project_id")
		})
	})

	/*
		Testname: VBS, two faults in one request
		Requirement: vbs-fault-precedence
		Description: A request without X-Auth-Token whose body lacks resources MUST be refused
		with the documented answer to one of its two faults: 401 (whose body the
		authentication specs judge), or 400 with the envelope (register
		vbs-fault-precedence); never a 2xx or a 5xx. It is the one VBS probe with
		more than one fault; every other negative spec carries exactly one.
	*/
	It("refuses a request with two faults with the answer to one of them", errorSpec(specfacts.ReqVBSFaultPrecedence), func() {
		x := env.Send(env.VBSJSON(map[string]any{"backup_policy_id": env.Target.VBS.BackupPolicyID}).WithoutHeader(limits.TokenHeader))
		env.ExpectReading(x, specfacts.AmbVBSFaultPrecedence, conformance.Probe{})
	})

	/*
		Testname: VBS, internal error
		Requirement: vbs-internal-error
		Description: An internal failure MUST be answered 500 with the error envelope. Only a
		target that declares fault_injection can be made to fail on demand; elsewhere this
		requirement is not evaluated.
	*/
	It("answers an internal failure with 500 and the envelope", errorSpec(specfacts.ReqVBSInternalError), func() {
		if !env.Target.FaultInjection {
			conformance.SkipBecause("the target file does not declare fault_injection: an internal failure cannot be provoked")
		}
		req := validUnknown()
		req.Faults = []string{mock.InjectedInternalError}
		env.ExpectVBSError(env.Send(req), http.StatusInternalServerError)
	})
})
