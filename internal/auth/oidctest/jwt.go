package oidctest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
)

// signJWT returns the compact serialization of a JSON Web Token carrying
// claims, signed with key by RS256 and naming kid as its key ID.
func signJWT(key *rsa.PrivateKey, kid string, claims any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "RS256", "kid": kid, "typ": "JWT"})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return input + "." + enc.EncodeToString(sig), nil
}

// publicJWK returns the JSON Web Key (RFC 7517) of an RS256 signing key.
func publicJWK(pub *rsa.PublicKey, kid string) map[string]string {
	return map[string]string{
		"kty": "RSA",
		"kid": kid,
		"alg": "RS256",
		"use": "sig",
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

// thumbprint returns the JWK thumbprint of pub (RFC 7638), used as its key
// ID.
func thumbprint(pub *rsa.PublicKey) string {
	jwk := publicJWK(pub, "")
	// The required members in lexicographic order, without whitespace;
	// json.Marshal sorts map keys.
	b, err := json.Marshal(map[string]string{"e": jwk["e"], "kty": "RSA", "n": jwk["n"]})
	if err != nil {
		panic(err) // cannot happen: a map of strings always marshals
	}
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
