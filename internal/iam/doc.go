// Package iam obtains API tokens for live endpoints from an IAM (Keystone v3) endpoint with
// a user's password, as Huawei Cloud issues them, and renews them before they expire. The
// flow itself is gophercloud's (openstack.Authenticate, tokens3): this package only decides
// when to ask, reads expires_at, and hands every new token to the caller's redactor before
// anyone can use it, so that no token is ever written anywhere in clear.
package iam
