package koophone_test

import (
	"encoding/json"
	"strings"

	"github.com/koobackup/conformance/internal/conformance"
	"github.com/koobackup/conformance/internal/contract"
	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/specfacts"
	. "github.com/onsi/ginkgo/v2"
)

// Limits and codes come from the spec, never from literals here.
var (
	limits       = contract.Default().Constraints().KooPhone
	maxItems     = limits.InstanceIDsMaxItems
	maxLength    = limits.InstanceIDMaxLength
	paramWrong   = specfacts.CodeParameterIncorrect
	noTenant     = specfacts.CodeTenantNotFound
	noPermission = specfacts.CodeInstancePermissions
	internalErr  = specfacts.CodeInternalError
)

// errorSpec labels a spec whose answer is a documented error.
func errorSpec(ids ...specfacts.RequirementID) Labels {
	return conformance.Req(append(ids, specfacts.ReqKooPhoneErrorEnvelopeShape, specfacts.ReqKooPhoneClientErrorsAre400, specfacts.ReqKooPhoneDocumentedStatus)...)
}

// backupSpec labels a spec whose answer is a successful backup.
func backupSpec(ids ...specfacts.RequirementID) Labels {
	return conformance.Req(append(ids, specfacts.ReqKooPhoneBackupOperation, specfacts.ReqKooPhoneResponse200Shape, specfacts.ReqKooPhoneCmdJobsCoverRequest, specfacts.ReqKooPhoneJobIDsDistinct, specfacts.ReqKooPhoneDocumentedStatus)...)
}

// seedExampleInstance is the instance_id of the seed document's example request.
const seedExampleInstance = "iRJEVP9"

// ownedOrSynthetic returns the reserved owned ids when the target allows state-changing
// requests and the pool could serve them, otherwise ids no target can own, so that a
// read-only target is never sent a request that a faulty server could act on.
func ownedOrSynthetic(env *conformance.Env, r *conformance.Reservation, n int) []string {
	if env.Target.AllowMutating && r.Available() {
		return r.IDs()[:n]
	}
	return conformance.SyntheticIDs(n)
}

// controlUnlessOwned is the control request of a negative spec: none when the spec names
// owned ids (a server that skips the check would act on them, so the probe alone can fail),
// else the same request without the fault, which must never be sent with owned ids.
func controlUnlessOwned(env *conformance.Env, r *conformance.Reservation, control conformance.Request) *conformance.Request {
	if env.Target.AllowMutating && r.Available() {
		return nil
	}
	return &control
}

var _ = Describe("KooPhone POST /v1/instances/backup", Label("api:koophone"), func() {
	var env *conformance.Env
	BeforeEach(func() { env = conformance.Current() })

	Context("headers and tenant, rejected before any state changes", Ordered, ContinueOnFailure, func() {
		// Each refused request names an owned instance of its own, so that a server that
		// wrongly carries one out uses up only that spec's instance; the valid request at the
		// end backs up every instance they named, and the repeat backs them up again.
		var claims []*conformance.Reservation
		claim := func(name string) *conformance.Reservation {
			c := conformance.Reserve(conformance.OwnedInstances, "koophone/rejected-before-state-change/"+name, 1)
			claims = append(claims, c)
			return c
		}
		instance := func(c *conformance.Reservation) string { return ownedOrSynthetic(env, c, 1)[0] }
		// released are the jobs of the backup that released the instances, for the repeat.
		var released []conformance.CmdJob

		missingToken := claim("missing-token")
		/*
			Testname: KooPhone, missing x-auth-token
			Requirement: koophone-auth-token-required
			Description: A request without x-auth-token MUST be rejected with 400 and
			KOOPHONE.API.1000, or KOOPHONE.API.0000, or by an API gateway in front with 401
			and its APIGW body (register koophone-missing-token-code), and MUST release
			nothing. On a read-only target the request names an id that cannot exist; when
			the same request with the token is answered alike, the spec is inconclusive.
		*/
		It("rejects a request without x-auth-token", errorSpec(specfacts.ReqKooPhoneAuthTokenRequired), func() {
			id := instance(missingToken)
			x := env.Send(env.KooPhoneRequest(id).WithoutHeader(limits.TokenHeader))
			env.ExpectReadingUnlike(x, specfacts.AmbKooPhoneMissingTokenCode, conformance.Probe{}, controlUnlessOwned(env, missingToken, env.KooPhoneRequest(id)), "the missing x-auth-token")
		})

		emptyToken := claim("empty-token")
		/*
			Testname: KooPhone, empty x-auth-token
			Requirement: koophone-auth-token-required
			Description: A request whose x-auth-token is empty MUST be rejected like a missing
			one: 400 with KOOPHONE.API.1000 or KOOPHONE.API.0000, or an API gateway's 401.
		*/
		It("rejects a request with an empty x-auth-token", errorSpec(specfacts.ReqKooPhoneAuthTokenRequired), func() {
			id := instance(emptyToken)
			x := env.Send(env.KooPhoneRequest(id).WithHeader(limits.TokenHeader, ""))
			env.ExpectReadingUnlike(x, specfacts.AmbKooPhoneMissingTokenCode, conformance.Probe{}, controlUnlessOwned(env, emptyToken, env.KooPhoneRequest(id)), "the empty x-auth-token")
		})

		twoFaults := claim("two-faults")
		/*
			Testname: KooPhone, two faults in one request
			Requirement: koophone-several-faults-refused
			Description: A request whose token names no tenant and which has no x-request-id
			MUST be refused with the documented answer of one of its two faults, 400 with
			KOOPHONE.API.0000 or 1000 (register koophone-fault-precedence) — never carried out,
			never a 5xx. On a read-only target the request names an id that cannot exist; when
			the same request without the faults is answered alike, the spec is inconclusive.
		*/
		It("refuses a request with two faults with the answer of one of them", errorSpec(specfacts.ReqKooPhoneSeveralFaultsRefused), func() {
			id := instance(twoFaults)
			x := env.Send(env.KooPhoneRequest(id).WithHeader(limits.TokenHeader, env.Target.KooPhone.UnknownTenantToken).WithoutHeader(limits.RequestIDHeader))
			env.ExpectReadingUnlike(x, specfacts.AmbKooPhoneFaultPrecedence, conformance.Probe{}, controlUnlessOwned(env, twoFaults, env.KooPhoneRequest(id)), "the unknown tenant and the missing x-request-id")
		})

		unknownTenant := claim("unknown-tenant")
		/*
			Testname: KooPhone, unknown tenant
			Requirement: koophone-unknown-tenant
			Description: A request whose x-auth-token names no existing tenant MUST be rejected
			with 400 and KOOPHONE.API.0000. When an API gateway in front refuses the token with
			its own 401 (register koophone-missing-token-code: api-gateway), the service's
			answer is not observed and the spec is inconclusive under the default profile.
		*/
		It("rejects a token whose tenant does not exist as an unknown tenant", errorSpec(specfacts.ReqKooPhoneUnknownTenant), func() {
			x := env.Send(env.KooPhoneRequest(instance(unknownTenant)).WithHeader(limits.TokenHeader, env.Target.KooPhone.UnknownTenantToken))
			env.ExpectKooPhoneErrorBehindGateway(x, noTenant)
		})

		missingRequestID := claim("missing-request-id")
		/*
			Testname: KooPhone, missing x-request-id
			Requirement: koophone-request-id-required
			Description: A request without the mandatory x-request-id MUST be rejected with 400
			and KOOPHONE.API.1000. On a read-only target the request names an id that cannot
			exist; when the same request with x-request-id is answered alike, the spec is
			inconclusive.
		*/
		It("rejects a request without x-request-id as an incorrect parameter", errorSpec(specfacts.ReqKooPhoneRequestIDRequired), func() {
			id := instance(missingRequestID)
			x := env.Send(env.KooPhoneRequest(id).WithoutHeader(limits.RequestIDHeader))
			env.ExpectKooPhoneErrorUnlike(x, paramWrong, controlUnlessOwned(env, missingRequestID, env.KooPhoneRequest(id)), "the missing x-request-id")
		})

		/*
			Testname: KooPhone, rejected requests release nothing
			Requirement: koophone-rejected-request-changes-nothing, koophone-backup-operation
			Description: After every request above was rejected, the instances they named MUST
			still be restored: a valid request MUST back them up with 200 and one job each. An
			instance that a request above was wrongly carried out on is left out, naming that
			spec; when none is left, the spec is inconclusive.
		*/
		It("still backs up the instances the rejected requests named", conformance.Mutating, backupSpec(specfacts.ReqKooPhoneRejectedRequestChangesNothing), func() {
			ids := conformance.Remaining(1, claims...)
			released = env.ExpectBackup(env.Send(env.KooPhoneRequest(ids...)), ids)
		})

		/*
			Testname: KooPhone, released instance refused
			Requirement: koophone-released-instance-refused
			Description: Backing up an instance a previous call already backed up and released
			MUST be refused with 400 (KOOPHONE.API.1000 or 1001) or answered idempotently with
			200 naming the job that released it (register koophone-rebackup-code), never
			answered with a new job.
		*/
		It("refuses to back up the released instance again, or names its job again", conformance.Mutating, errorSpec(specfacts.ReqKooPhoneReleasedInstanceRefused), func() {
			claims[0].IDs() // skips with the reason when the pool could not serve the container
			if len(released) == 0 {
				conformance.Inconclusive("the valid backup before this spec released no instance with an answer naming its job, so there is no released instance whose repeat can be judged; that spec's finding explains it")
			}
			id := released[0].InstanceID
			x := env.Send(env.KooPhoneRequest(id))
			env.ExpectReading(x, specfacts.AmbKooPhoneRebackupCode, conformance.Probe{Instances: []string{id}, EarlierJobs: released})
		})
	})

	Context("the number of instance ids", Ordered, ContinueOnFailure, func() {
		claim := conformance.Reserve(conformance.OwnedInstances, "koophone/count-limits", maxItems+1)

		/*
			Testname: KooPhone, instance_ids above the maximum
			Requirement: koophone-instance-ids-max-items
			Description: A list of one id more than the documented maximum (100) MUST be
			rejected with 400 and KOOPHONE.API.1000. Owned ids are used when the target allows
			it, so that an implementation that does not count cannot hide behind an
			ownership check; otherwise, when the maximum number of the same unknown ids is
			answered alike, the spec is inconclusive.
		*/
		It("rejects one id more than the maximum as an incorrect parameter", errorSpec(specfacts.ReqKooPhoneInstanceIDsMaxItems), func() {
			ids := ownedOrSynthetic(env, claim, maxItems+1)
			x := env.Send(env.KooPhoneRequest(ids...))
			env.ExpectKooPhoneErrorUnlike(x, paramWrong, controlUnlessOwned(env, claim, env.KooPhoneRequest(ids[:maxItems]...)), "the id over the maximum count")
		})

		/*
			Testname: KooPhone, instance_ids at the maximum
			Requirement: koophone-instance-ids-max-items, koophone-rejected-request-changes-nothing
			Description: A list of exactly the maximum number of owned ids MUST be accepted with
			200 and one job per instance with distinct job ids — also after the over-long list
			naming the same instances was rejected. When that list was wrongly carried out, the
			instances are used up and the spec is inconclusive, naming it.
		*/
		It("accepts the maximum number of ids with one job each", conformance.Mutating, backupSpec(specfacts.ReqKooPhoneInstanceIDsMaxItems, specfacts.ReqKooPhoneRejectedRequestChangesNothing), func() {
			ids := claim.Remaining(maxItems)[:maxItems]
			env.ExpectBackup(env.Send(env.KooPhoneRequest(ids...)), ids)
		})

		/*
			Testname: KooPhone, a single instance id
			Requirement: koophone-instance-ids-min-items
			Description: A list of one owned id MUST be accepted with 200 and exactly one job.
			The id is the one of the container's instances no earlier request used up.
		*/
		It("accepts a single id", conformance.Mutating, backupSpec(specfacts.ReqKooPhoneInstanceIDsMinItems), func() {
			id := claim.Remaining(1)[0]
			env.ExpectBackup(env.Send(env.KooPhoneRequest(id)), []string{id})
		})
	})

	/*
		Testname: KooPhone, empty instance_ids
		Requirement: koophone-instance-ids-min-items
		Description: An empty list MUST be rejected with 400 and KOOPHONE.API.1000, or
		accepted with no jobs (register koophone-instance-ids-min-items); never a 5xx.
	*/
	It("rejects an empty list, or accepts it with no jobs", errorSpec(specfacts.ReqKooPhoneInstanceIDsMinItems), func() {
		env.ExpectReading(env.Send(env.KooPhoneRequest()), specfacts.AmbKooPhoneInstanceIDsMinItems, conformance.Probe{})
	})

	Context("the length of an instance id", func() {
		/*
			Testname: KooPhone, instance id above the maximum length
			Requirement: koophone-instance-id-max-length
			Description: An id one character longer than the documented maximum (32) MUST be
			rejected with 400 and KOOPHONE.API.1000, whether its characters are ASCII or
			multi-byte. When the target answers an unknown id of the maximum length the same
			way (koophone-unknown-instance-code: parameter-incorrect), the answer cannot show
			the length check and the spec is inconclusive, never passed.
		*/
		DescribeTable("rejects an id one character too long as an incorrect parameter",
			func(char rune) {
				x := env.Send(env.KooPhoneRequest(conformance.IDOfLength(char, maxLength+1)))
				control := env.KooPhoneRequest(conformance.IDOfLength(char, maxLength))
				env.ExpectKooPhoneErrorUnlike(x, paramWrong, &control, "the character over the maximum length")
			},
			Entry("ASCII", errorSpec(specfacts.ReqKooPhoneInstanceIDMaxLength), 'a'),
			Entry("two-byte UTF-8", errorSpec(specfacts.ReqKooPhoneInstanceIDMaxLength), 'é'),
			Entry("four-byte UTF-8", errorSpec(specfacts.ReqKooPhoneInstanceIDMaxLength), '😀'),
		)

		claim32 := conformance.ReserveMatching(conformance.OwnedInstances, "koophone/id-at-max-length", 1,
			"of exactly the maximum length", func(id string) bool { return len([]rune(id)) == maxLength })
		/*
			Testname: KooPhone, owned instance id at the maximum length
			Requirement: koophone-instance-id-max-length
			Description: An owned id of exactly the maximum length MUST be accepted with 200.
		*/
		It("accepts an owned id of exactly the maximum length", conformance.Mutating, backupSpec(specfacts.ReqKooPhoneInstanceIDMaxLength), func() {
			id := claim32.IDs()[0]
			x := env.Send(env.KooPhoneRequest(id))
			env.FirstUse(x, func() { env.ExpectBackup(x, []string{id}) })
		})

		/*
			Testname: KooPhone, multi-byte id at the maximum length
			Requirement: koophone-instance-id-max-length
			Description: An id of exactly the maximum number of two-byte characters that names
			no instance MUST be refused with 400: KOOPHONE.API.1001 when characters are
			counted, KOOPHONE.API.1000 when bytes are (register koophone-id-length-unit).
		*/
		It("judges a multi-byte id at the maximum length by the register", errorSpec(specfacts.ReqKooPhoneInstanceIDMaxLength), func() {
			x := env.Send(env.KooPhoneRequest(conformance.IDOfLength('é', maxLength)))
			env.ExpectReading(x, specfacts.AmbKooPhoneIDLengthUnit, conformance.Probe{})
		})

		/*
			Testname: KooPhone, empty instance id
			Requirement: koophone-instance-id-max-length
			Description: An empty string as an id MUST be refused with 400 and KOOPHONE.API.1000
			or 1001 (register koophone-instance-id-empty-string).
		*/
		It("refuses an empty id", errorSpec(specfacts.ReqKooPhoneInstanceIDMaxLength), func() {
			x := env.Send(env.KooPhoneRequest(""))
			env.ExpectReading(x, specfacts.AmbKooPhoneInstanceIDEmptyString, conformance.Probe{})
		})
	})

	// Each body names an owned instance of its own: a server that reads one mistyped list
	// anyway uses up only that entry's instance.
	typeClaim := func(entry string) *conformance.Reservation {
		return conformance.Reserve(conformance.OwnedInstances, "koophone/mistyped-instance-ids/"+entry, 1)
	}
	/*
		Testname: KooPhone, instance_ids of the wrong type
		Requirement: koophone-instance-ids-required, koophone-instance-ids-type
		Description: A body without instance_ids, or whose instance_ids is not an array of
		strings, MUST be rejected with 400 and KOOPHONE.API.1000. The ids in the bodies are
		owned ones when the target allows it, so that an implementation that reads a
		mistyped list anyway cannot hide behind the answer for an unknown instance; on a
		read-only target, when a well-typed list of the same unknown id is answered alike,
		the spec is inconclusive. (A misspelt member name is not probed: it would add a second
		fault, an unknown member, which koophone-unknown-fields lets a server refuse.)
	*/
	DescribeTable("rejects a body whose instance_ids is missing or mistyped as an incorrect parameter",
		func(claim *conformance.Reservation, body string) {
			id := ownedOrSynthetic(env, claim, 1)[0]
			x := env.Send(env.KooPhoneRaw([]byte(strings.ReplaceAll(body, "<id>", id))))
			env.ExpectKooPhoneErrorUnlike(x, paramWrong, controlUnlessOwned(env, claim, env.KooPhoneRequest(id)), "the mistyped instance_ids")
		},
		Entry("missing", errorSpec(specfacts.ReqKooPhoneInstanceIDsRequired), typeClaim("missing"), `{}`),
		Entry("a string", errorSpec(specfacts.ReqKooPhoneInstanceIDsType), typeClaim("a string"), `{"instance_ids":"<id>"}`),
		Entry("a number", errorSpec(specfacts.ReqKooPhoneInstanceIDsType), typeClaim("a number"), `{"instance_ids":42}`),
		Entry("a boolean", errorSpec(specfacts.ReqKooPhoneInstanceIDsType), typeClaim("a boolean"), `{"instance_ids":true}`),
		Entry("an object", errorSpec(specfacts.ReqKooPhoneInstanceIDsType), typeClaim("an object"), `{"instance_ids":{"id":"<id>"}}`),
		Entry("null", errorSpec(specfacts.ReqKooPhoneInstanceIDsType), typeClaim("null"), `{"instance_ids":null}`),
		Entry("an array of numbers", errorSpec(specfacts.ReqKooPhoneInstanceIDsType), typeClaim("an array of numbers"), `{"instance_ids":[1,2]}`),
		Entry("an array holding null", errorSpec(specfacts.ReqKooPhoneInstanceIDsType), typeClaim("an array holding null"), `{"instance_ids":[null]}`),
		Entry("an array of arrays", errorSpec(specfacts.ReqKooPhoneInstanceIDsType), typeClaim("an array of arrays"), `{"instance_ids":[["<id>"]]}`),
		Entry("an array of objects", errorSpec(specfacts.ReqKooPhoneInstanceIDsType), typeClaim("an array of objects"), `{"instance_ids":[{"instance_id":"<id>"}]}`),
	)

	/*
		Testname: KooPhone, the seed's example request
		Requirement: koophone-instance-ids-required
		Description: The document's own example body (user_id and instance_id "iRJEVP9", no
		instance_ids) MUST be refused with 400: KOOPHONE.API.1000 when the parameter table is
		authoritative, or the code of an instance the caller does not own when instance_id is
		read as an alias (register koophone-example-request-shape).
	*/
	It("refuses the seed document's example request body", errorSpec(specfacts.ReqKooPhoneInstanceIDsRequired), func() {
		x := env.Send(env.KooPhoneJSON(map[string]any{"user_id": "1008600000104285462", "instance_id": seedExampleInstance}))
		env.ExpectKooPhoneErrorOneOf(x, paramWrong, noPermission)
	})

	aliasClaim := conformance.Reserve(conformance.OwnedInstances, "koophone/example-shape", 1)
	/*
		Testname: KooPhone, the example's shape with an owned instance
		Requirement: koophone-instance-ids-required
		Description: A body shaped like the seed's example but naming an owned instance in
		instance_id MUST be rejected with 400 and KOOPHONE.API.1000 (table authoritative) or
		back up exactly that instance (example-as-alias, register
		koophone-example-request-shape).
	*/
	It("rejects the example's shape, or reads instance_id as a one-element list", conformance.Mutating, errorSpec(specfacts.ReqKooPhoneInstanceIDsRequired), func() {
		id := aliasClaim.IDs()[0]
		x := env.Send(env.KooPhoneJSON(map[string]any{"user_id": "1008600000104285462", "instance_id": id}))
		env.FirstUse(x, func() {
			env.ExpectReading(x, specfacts.AmbKooPhoneExampleRequestShape, conformance.Probe{Instances: []string{id}})
		})
	})

	/*
		Testname: KooPhone, malformed JSON
		Requirement: koophone-malformed-json
		Description: A body that is not valid JSON, or not a JSON object, MUST be rejected with
		400 and KOOPHONE.API.1000.
	*/
	DescribeTable("rejects a body that is not a JSON object as an incorrect parameter",
		func(body string) {
			x := env.Send(env.KooPhoneRaw([]byte(body)))
			env.ExpectKooPhoneError(x, paramWrong)
		},
		Entry("empty body", errorSpec(specfacts.ReqKooPhoneMalformedJSON), ``),
		Entry("truncated object", errorSpec(specfacts.ReqKooPhoneMalformedJSON), `{"instance_ids":["cfx-none-1"`),
		Entry("not JSON at all", errorSpec(specfacts.ReqKooPhoneMalformedJSON), `instance_ids=cfx-none-1`),
		Entry("single quotes", errorSpec(specfacts.ReqKooPhoneMalformedJSON), `{'instance_ids':['cfx-none-1']}`),
		Entry("a JSON array", errorSpec(specfacts.ReqKooPhoneMalformedJSON), `["cfx-none-1"]`),
		Entry("a JSON string", errorSpec(specfacts.ReqKooPhoneMalformedJSON), `"cfx-none-1"`),
		Entry("JSON null", errorSpec(specfacts.ReqKooPhoneMalformedJSON), `null`),
	)

	Context("instance permissions", func() {
		// foreign returns the target's foreign instances other than the seed example's (which
		// the example spec names, and a faulty server might act on), the first two for the
		// all-foreign spec and the last for the mixed one, so that neither spec's request
		// depends on what another spec did to an instance.
		foreign := func(mixed bool) []string {
			var ids []string
			for _, id := range env.Target.KooPhone.ForeignInstanceIDs {
				if id != seedExampleInstance {
					ids = append(ids, id)
				}
			}
			if len(ids) == 0 {
				conformance.SkipBecause("the target file lists no foreign_instance_ids besides the seed example's")
			}
			if mixed {
				return ids[len(ids)-1:]
			}
			return ids[:max(1, min(2, len(ids)-1))]
		}

		/*
			Testname: KooPhone, instances of another tenant
			Requirement: koophone-instance-permissions
			Description: A request naming only instances of another tenant MUST be rejected
			with 400 and KOOPHONE.API.1001.
		*/
		It("rejects instances of another tenant as lacking instance permissions", conformance.Mutating, errorSpec(specfacts.ReqKooPhoneInstancePermissions), func() {
			env.ExpectKooPhoneError(env.Send(env.KooPhoneRequest(foreign(false)...)), noPermission)
		})

		Context("mixed with owned instances", Ordered, ContinueOnFailure, func() {
			claim := conformance.Reserve(conformance.OwnedInstances, "koophone/mixed-ownership", 1)

			/*
				Testname: KooPhone, owned and foreign instances together
				Requirement: koophone-instance-permissions
				Description: A request naming an owned and a foreign instance MUST be rejected
				as a whole with 400 and KOOPHONE.API.1001.
			*/
			It("rejects the whole request as lacking instance permissions", conformance.Mutating, errorSpec(specfacts.ReqKooPhoneInstancePermissions), func() {
				ids := append(claim.IDs(), foreign(true)[0])
				env.ExpectKooPhoneError(env.Send(env.KooPhoneRequest(ids...)), noPermission)
			})

			/*
				Testname: KooPhone, a refused mixed request releases nothing
				Requirement: koophone-rejected-request-changes-nothing
				Description: The owned instance of the refused mixed request MUST still be
				backed up by a valid request afterwards. When the mixed request was wrongly
				carried out, the instance is used up and the spec is inconclusive, naming it.
			*/
			It("still backs up the owned instance afterwards", conformance.Mutating, backupSpec(specfacts.ReqKooPhoneRejectedRequestChangesNothing), func() {
				id := claim.Remaining(1)[0]
				env.ExpectBackup(env.Send(env.KooPhoneRequest(id)), []string{id})
			})
		})

		/*
			Testname: KooPhone, instances that do not exist
			Requirement: koophone-instance-permissions
			Description: Ids naming no instance MUST be refused with 400: KOOPHONE.API.1001, or
			1000 (register koophone-unknown-instance-code).
		*/
		It("refuses instances that do not exist", errorSpec(specfacts.ReqKooPhoneInstancePermissions), func() {
			x := env.Send(env.KooPhoneRequest(conformance.SyntheticIDs(2)...))
			env.ExpectReading(x, specfacts.AmbKooPhoneUnknownInstanceCode, conformance.Probe{})
		})
	})

	dupClaim := conformance.Reserve(conformance.OwnedInstances, "koophone/duplicate-ids", 1)
	/*
		Testname: KooPhone, the same instance twice
		Requirement: koophone-duplicate-instance-ids
		Description: A list naming one owned instance twice MUST be rejected with 400 and
		KOOPHONE.API.1000, or answered 200 with exactly one job for that instance (register
		koophone-duplicate-instance-ids); two jobs for one instance are never a reading.
	*/
	It("rejects a repeated id, or backs the instance up once", conformance.Mutating, conformance.Req(specfacts.ReqKooPhoneDuplicateInstanceIDs, specfacts.ReqKooPhoneDocumentedStatus), func() {
		id := dupClaim.IDs()[0]
		x := env.Send(env.KooPhoneRequest(id, id))
		env.FirstUse(x, func() {
			env.ExpectReading(x, specfacts.AmbKooPhoneDuplicateInstanceIDs, conformance.Probe{Instances: []string{id, id}})
		})
	})

	extraClaim := conformance.Reserve(conformance.OwnedInstances, "koophone/unknown-fields", 1)
	/*
		Testname: KooPhone, unknown members in the body
		Requirement: koophone-unknown-fields
		Description: A valid request that also carries a member the table does not list MUST
		either be judged on instance_ids alone (200 with one job) or be rejected with 400 and
		KOOPHONE.API.1000 (register koophone-unknown-fields).
	*/
	It("ignores or rejects unknown members", conformance.Mutating, conformance.Req(specfacts.ReqKooPhoneUnknownFields, specfacts.ReqKooPhoneDocumentedStatus), func() {
		id := extraClaim.IDs()[0]
		x := env.Send(env.KooPhoneJSON(map[string]any{"instance_ids": []string{id}, "conformance_probe": "unknown member"}))
		env.FirstUse(x, func() {
			env.ExpectReading(x, specfacts.AmbKooPhoneUnknownFields, conformance.Probe{Instances: []string{id}})
		})
	})

	ctClaim := conformance.Reserve(conformance.OwnedInstances, "koophone/content-type", 1)
	/*
		Testname: KooPhone, body sent as text/plain
		Requirement: koophone-content-type
		Description: A JSON body naming no owned instance, sent with Content-Type text/plain,
		MUST be refused with 400 (KOOPHONE.API.1000, or the code of an unknown instance when
		the body is parsed anyway), never a 5xx. The unknown id is the only safe content on a
		read-only target; when the same request sent as application/json is answered alike,
		the answer cannot show the media-type check and the spec is inconclusive. A target
		that allows state-changing requests is judged by the owned-instance spec below.
	*/
	It("refuses a JSON body sent as text/plain, never a 5xx", errorSpec(specfacts.ReqKooPhoneContentType), func() {
		if env.Target.AllowMutating && ctClaim.Available() {
			conformance.NotApplicable("the target allows state-changing requests: the spec with an owned instance decides")
		}
		req := env.KooPhoneRequest(conformance.SyntheticIDs(1)...)
		x := env.Send(req.WithHeader("Content-Type", "text/plain"))
		env.ExpectKooPhoneErrorOneOfUnlike(x, &req, "the text/plain Content-Type", paramWrong, noPermission)
	})

	/*
		Testname: KooPhone, valid request sent as text/plain
		Requirement: koophone-content-type
		Description: A valid request for an owned instance sent with Content-Type text/plain
		MUST be rejected with 400 and KOOPHONE.API.1000, or parsed as JSON and back up exactly
		that instance (register koophone-content-type).
	*/
	It("rejects a valid request sent as text/plain, or parses it", conformance.Mutating, errorSpec(specfacts.ReqKooPhoneContentType), func() {
		id := ctClaim.IDs()[0]
		x := env.Send(env.KooPhoneRequest(id).WithHeader("Content-Type", "text/plain"))
		env.FirstUse(x, func() {
			env.ExpectReading(x, specfacts.AmbKooPhoneContentType, conformance.Probe{Instances: []string{id}})
		})
	})

	/*
		Testname: KooPhone, oversized body
		Requirement: koophone-oversized-body
		Description: A body over 1 MiB MUST be refused as a request error — 400, or 413 from
		the transport (register koophone-oversized-body-status) — never a 5xx, a hang or a
		dropped connection. The body is valid JSON padded with white space, so that its size
		is its only fault besides the unknown id a read-only target requires.
	*/
	It("refuses a body over 1 MiB as a request error", errorSpec(specfacts.ReqKooPhoneOversizedBody), func() {
		ids := conformance.SyntheticIDs(1)
		list, _ := json.Marshal(ids)
		body := []byte(`{"instance_ids":` + string(list) + strings.Repeat(" ", specfacts.RequestBodyLimit+specfacts.RequestBodyLimit/4) + `}`)
		env.ExpectReading(env.Send(env.KooPhoneRaw(body)), specfacts.AmbKooPhoneOversizedBodyStatus, conformance.Probe{Instances: ids})
	})

	emptyIDClaim := conformance.Reserve(conformance.OwnedInstances, "koophone/empty-request-id", 1)
	/*
		Testname: KooPhone, empty x-request-id
		Requirement: koophone-request-id-required
		Description: A valid request for an owned instance whose x-request-id is present but
		empty MUST be refused with 400 and KOOPHONE.API.1000 like a missing one, or carried
		out with one job for that instance (register koophone-empty-request-id); never a 5xx
		or another code.
	*/
	It("refuses an empty x-request-id like a missing one, or carries the request out", conformance.Mutating, errorSpec(specfacts.ReqKooPhoneRequestIDRequired), func() {
		id := emptyIDClaim.IDs()[0]
		x := env.Send(env.KooPhoneRequest(id).WithHeader(limits.RequestIDHeader, ""))
		env.FirstUse(x, func() {
			env.ExpectReading(x, specfacts.AmbKooPhoneEmptyRequestID, conformance.Probe{Instances: []string{id}})
		})
	})

	charsetClaim := conformance.Reserve(conformance.OwnedInstances, "koophone/json-charset", 1)
	/*
		Testname: KooPhone, JSON with a charset parameter
		Requirement: koophone-json-charset-accepted
		Description: A valid request for an owned instance sent with Content-Type
		application/json;charset=UTF-8, as common SDKs send it, MUST be carried out: 200 with
		one job for that instance.
	*/
	It("accepts application/json;charset=UTF-8", conformance.Mutating, backupSpec(specfacts.ReqKooPhoneJSONCharsetAccepted), func() {
		id := charsetClaim.IDs()[0]
		x := env.Send(env.KooPhoneRequest(id).WithHeader("Content-Type", "application/json;charset=UTF-8"))
		env.FirstUse(x, func() { env.ExpectBackup(x, []string{id}) })
	})

	/*
		Testname: KooPhone, JSON with a charset parameter, answered like JSON
		Requirement: koophone-json-charset-accepted
		Description: A request naming an id that cannot exist, sent as
		application/json;charset=UTF-8, MUST be answered exactly as the same request sent as
		application/json (400 with the same code), so that a read-only target shows it parses
		the body. When both carry KOOPHONE.API.1000, the answer cannot show it and the spec
		is inconclusive. A target that allows state-changing requests is judged by the
		owned-instance spec above.
	*/
	It("answers application/json;charset=UTF-8 like application/json", errorSpec(specfacts.ReqKooPhoneJSONCharsetAccepted), func() {
		if env.Target.AllowMutating && charsetClaim.Available() {
			conformance.NotApplicable("the target allows state-changing requests: the spec with an owned instance decides")
		}
		req := env.KooPhoneRequest(conformance.SyntheticIDs(1)...)
		x := env.Send(req.WithHeader("Content-Type", "application/json;charset=UTF-8"))
		env.ExpectKooPhoneErrorOneOf(x, paramWrong, noPermission)
		env.ExpectAnsweredLike(x, req, "the charset parameter")
	})

	taskClaim := conformance.Reserve(conformance.OwnedInstances, "koophone/task-ids-distinct", 2)
	/*
		Testname: KooPhone, task ids distinct across calls
		Requirement: koophone-task-ids-distinct
		Description: Two successful backups of two different owned instances MUST answer with
		different task_id values.
	*/
	It("answers two backups of different instances with different task ids", conformance.Mutating, backupSpec(specfacts.ReqKooPhoneTaskIDsDistinct), func() {
		ids := taskClaim.IDs()
		var first, second string
		By("backing up the first instance")
		x := env.Send(env.KooPhoneRequest(ids[0]))
		env.FirstUse(x, func() { first, _ = env.ExpectBackupTask(x, ids[:1]) })
		By("backing up the second instance")
		y := env.Send(env.KooPhoneRequest(ids[1]))
		env.FirstUse(y, func() { second, _ = env.ExpectBackupTask(y, ids[1:]) })
		env.ExpectDistinctTasks(first, second)
	})

	/*
		Testname: KooPhone, internal error
		Requirement: koophone-internal-error
		Description: An internal failure MUST be answered 500 with KOOPHONE.API.9999. Only a
		target that declares fault_injection (the reference mock's X-Mock-Fault header) can be
		made to fail on demand; elsewhere this requirement is not evaluated.
	*/
	It("answers an internal failure with 500 and the internal-error code", conformance.Req(specfacts.ReqKooPhoneInternalError, specfacts.ReqKooPhoneErrorEnvelopeShape, specfacts.ReqKooPhoneDocumentedStatus), func() {
		if !env.Target.FaultInjection {
			conformance.SkipBecause("the target file does not declare fault_injection: an internal failure cannot be provoked")
		}
		req := env.KooPhoneRequest(conformance.SyntheticIDs(1)...)
		req.Faults = []string{mock.InjectedInternalError}
		env.ExpectKooPhoneError(env.Send(req), internalErr)
	})
})
