package iam

import (
	"time"

	"github.com/ferrys3/ferry/internal/meta"
)

// awsManaged holds the AWS managed policies ferry provides, by ARN. They
// can be read and attached but not changed.
var awsManaged = func() map[string]*meta.ManagedPolicy {
	created := time.Date(2015, 2, 6, 18, 40, 58, 0, time.UTC)
	m := map[string]*meta.ManagedPolicy{}
	for _, p := range []struct{ name, id, desc, doc string }{
		{"AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", "Provides full access to AWS services and resources.",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"AmazonS3FullAccess", "ANPAIFIR6V6BVTRAHWINE", "Provides full access to all buckets via the AWS Management Console.",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","s3-object-lambda:*"],"Resource":"*"}]}`},
		{"AmazonS3ReadOnlyAccess", "ANPAIZTJ4DXE7G6AGAE6M", "Provides read only access to all buckets via the AWS Management Console.",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}`},
		{"IAMFullAccess", "ANPAI7XKCFMBPM3QQRRVQ", "Provides full access to IAM via the AWS Management Console.",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","organizations:DescribeAccount","organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListPolicies","organizations:ListTargetsForPolicy"],"Resource":"*"}]}`},
		{"IAMReadOnlyAccess", "ANPAJKSO7NDY4T57MWDSQ", "Provides read only access to IAM via the AWS Management Console.",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],"Resource":"*"}]}`},
	} {
		m["arn:aws:iam::aws:policy/"+p.name] = &meta.ManagedPolicy{AccountID: "aws", Name: p.name, Path: "/", ID: p.id,
			Description: p.desc, Created: created, Updated: created, DefaultVersion: "v1", NextVersion: 2,
			Versions: []meta.PolicyVersion{{ID: "v1", Document: p.doc, Created: created}}}
	}
	return m
}()
