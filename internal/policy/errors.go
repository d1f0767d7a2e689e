// Package policy implements the AWS IAM policy language: parsing and
// validation of JSON policy documents (bucket, identity and trust policies),
// and their evaluation against a request context.
//
// The package is pure: it performs no I/O and holds no global mutable state.
//
// # Combining identity and resource policies
//
// Evaluate(policies, ctx) combines any set of policies with
// "explicit deny wins, else any allow, else not applicable". That is the
// complete rule within one account (identity policies ∪ bucket policy).
// Callers implement the account-level logic themselves:
//
//   - Same account: decision = Evaluate(identity ++ [bucketPolicy]);
//     Allow grants, Deny and NotApplicable refuse (implicit deny). Note that a
//     bucket-policy statement that names only the account ({"AWS":"<acct>"}
//     or ":root") matches every principal of that account; callers who want
//     AWS's "account delegation" semantics must require an identity-policy
//     allow in that case (Result.Statement.Principal.NamesAccountOnly()).
//   - Cross account: evaluate the caller's identity policies and the resource
//     owner's policies separately; both must Allow and any Deny wins.
//   - Permissions boundaries and session policies intersect: evaluate them
//     separately and require Allow from each.
package policy

// Error is a policy validation error. Message follows AWS's MalformedPolicy
// wording where it is known.
type Error struct {
	Message string
}

func (e *Error) Error() string { return e.Message }

func errf(msg string) *Error { return &Error{Message: msg} }

// Messages used by AWS for S3 MalformedPolicy (see aws-semantics.md §6.7).
const (
	MsgNotJSONObject      = "Policies must be valid JSON and the first byte must be '{'"
	MsgInvalidJSON        = "This policy contains invalid Json"
	MsgMissingStatement   = "Missing required field Statement"
	MsgEmptyStatement     = "Could not parse the policy: Statement is empty!"
	MsgInvalidVersion     = "The policy must contain a valid version string"
	MsgInvalidResource    = "Policy has invalid resource"
	MsgInvalidPrincipal   = "Invalid principal in policy"
	MsgInvalidAction      = "Policy has invalid action"
	MsgInvalidConditKey   = "Policy has an invalid condition key"
	MsgInvalidIP          = "Invalid IP address in Conditions"
	MsgMissingPrincipal   = "Missing required field Principal"
	MsgMissingEffect      = "Missing required field Effect"
	MsgMissingAction      = "Missing required field Action"
	MsgMissingResource    = "Missing required field Resource"
	MsgTooLarge           = "Policy exceeds the maximum allowed document size."
	MsgPrincipalForbidden = "Policy document should not specify a principal."
	MsgResourceForbidden  = "Has prohibited field Resource"
	MsgDuplicateSid       = "Statement IDs (SID) in a single policy must be unique."
	MsgBothAction         = "Statement can not contain both Action and NotAction"
	MsgBothResource       = "Statement can not contain both Resource and NotResource"
	MsgBothPrincipal      = "Statement can not contain both Principal and NotPrincipal"
)
