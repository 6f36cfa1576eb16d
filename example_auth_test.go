package ciimage_test

import (
	"context"
	"fmt"

	"github.com/ciimage/ciimage"
)

func ExampleNormalizeImageRef() {
	fmt.Println(ciimage.NormalizeImageRef("nginx:1.25"))
	fmt.Println(ciimage.NormalizeImageRef("Registry.Example.COM:5000/NS/app:1"))
	fmt.Println(ciimage.NormalizeImageRef("reg.example.com/ns/app@sha256:0123"))
	// Output:
	// docker.io/nginx
	// registry.example.com:5000/NS/app
	// reg.example.com/ns/app@sha256
}

func ExampleConvertToRegistryPath() {
	fmt.Println(ciimage.ConvertToRegistryPath("https://index.docker.io/v1/"))
	fmt.Println(ciimage.ConvertToRegistryPath("index.docker.io"))
	fmt.Println(ciimage.ConvertToRegistryPath("REGISTRY.example.com/ns/"))
	// Output:
	// docker.io
	// index.docker.io
	// registry.example.com/ns
}

func ExampleParseDockerConfig() {
	// dXNlcjpzZWNyZXQ= is base64 of "user:secret".
	config, _, err := ciimage.ParseDockerConfig("config.json", []byte(`{"auths":{"registry.example.com":{"auth":"dXNlcjpzZWNyZXQ="}}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	auth := config.Auths[0]
	fmt.Println(auth.Key, auth.Username, auth.Password)
	fmt.Printf("%+v\n", auth.Password)
	// Output:
	// registry.example.com user REDACTED
	// REDACTED
}

func ExampleResolveRegistryAuth() {
	opts := ciimage.AuthOptions{
		Variables: ciimage.Variables{
			{Key: "DOCKER_AUTH_CONFIG", Value: `{"auths":{"registry.example.com:5000":{"auth":"ZGVwbG95OnNlY3JldA=="}}}`},
		},
		Credentials: []ciimage.RegistryCredential{
			{Type: "registry", URL: "registry.example.com:5000", Username: "gitlab-ci-token", Password: ciimage.NewSecret("job-token")},
		},
	}
	auth, _, err := ciimage.ResolveRegistryAuth(context.Background(), opts)
	if err != nil {
		fmt.Println(err)
		return
	}

	c := auth.Lookup("registry.example.com:5000/group/app:1")
	fmt.Printf("%s from %s as %s, password %v\n", c.RegistryPath, c.Source, c.Username, c.Password)
	fmt.Println(auth.Lookup("registry.example.com/group/app:1") == nil)
	// Output:
	// registry.example.com:5000 from $DOCKER_AUTH_CONFIG as deploy, password REDACTED
	// true
}

func ExampleRegistryAuth_Explain() {
	opts := ciimage.AuthOptions{
		Variables: ciimage.Variables{{Key: "DOCKER_AUTH_CONFIG", Value: `{"auths":{"registry.example.com":{"auth":"ZGVwbG95OnNlY3JldA=="}}}`}},
	}
	auth, _, err := ciimage.ResolveRegistryAuth(context.Background(), opts)
	if err != nil {
		fmt.Println(err)
		return
	}

	e := auth.Explain("registry.example.com:5000/app:1")
	fmt.Println(e.Tried, e.Credentials == nil)
	fmt.Println(e.Reasons[0].Message)
	// Output:
	// [registry.example.com:5000/app registry.example.com:5000] true
	// image registry.example.com:5000/app:1: registry.example.com is configured, but the image is on registry.example.com:5000: the port must match
}

func ExampleJobPayloadCredentials() {
	vars := ciimage.Variables{
		{Key: "CI_REGISTRY", Value: "registry.gitlab.example.com"},
		{Key: "CI_REGISTRY_USER", Value: "gitlab-ci-token"},
		{Key: "CI_REGISTRY_PASSWORD", Value: "job-token"},
	}
	for _, c := range ciimage.JobPayloadCredentials(vars) {
		fmt.Println(c.Type, c.URL, c.Username, c.Password)
	}
	// Output:
	// registry registry.gitlab.example.com gitlab-ci-token REDACTED
}
