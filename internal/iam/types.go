package iam

import "github.com/ferrys3/ferry/internal/meta"

// The records front ends see, re-exported so they need not import meta.
type (
	Entity        = meta.IAMEntity
	Tag           = meta.Tag
	ManagedPolicy = meta.ManagedPolicy
	PolicyVersion = meta.PolicyVersion
)

// Entity kinds.
const (
	KindUser  = meta.KindUser
	KindGroup = meta.KindGroup
	KindRole  = meta.KindRole
)
