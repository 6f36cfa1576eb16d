package ciimage_test

import (
	"errors"
	"fmt"

	"github.com/ciimage/ciimage"
)

func ExampleParseImageName() {
	name := ciimage.ParseImageName("registry.example.com:5000/ns/img:tag")
	fmt.Println(name.Valid, name.Service, name.Version, name.Pulled)
	fmt.Println(name.Aliases)

	dropped := ciimage.ParseImageName("img@sha512:" + "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
	fmt.Println(dropped.Pulled, dropped.DigestDropped)

	invalid := ciimage.ParseImageName("Postgres:15")
	fmt.Println(invalid.Valid, len(invalid.Aliases))
	// Output:
	// true registry.example.com/ns/img tag registry.example.com:5000/ns/img:tag
	// [registry.example.com__ns__img registry.example.com-ns-img]
	// img:latest true
	// false 0
}

func ExampleDefaultAliases() {
	fmt.Println(ciimage.DefaultAliases("postgres:16"))
	fmt.Println(ciimage.DefaultAliases("localhost:5000/img"))
	fmt.Println(ciimage.DefaultAliases("myorg/MyImg"))
	// Output:
	// [postgres]
	// [localhost__img localhost-img]
	// []
}

func ExampleCheckPullReference() {
	fmt.Println(ciimage.CheckPullReference("ruby:3.3"))

	err := ciimage.CheckPullReference("Ruby:3.3")
	fmt.Println(errors.Is(err, ciimage.ErrInvalidImageName))
	fmt.Println(err)
	// Output:
	// <nil>
	// true
	// invalid image name "Ruby:3.3": invalid reference format: repository name (library/Ruby) must be lowercase
}

func ExampleContainsVariable() {
	fmt.Println(ciimage.ContainsVariable("$CI_REGISTRY_IMAGE:$TAG"))
	fmt.Println(ciimage.ContainsVariable("ruby:3.3"))
	// Output:
	// true
	// false
}

func ExampleImageNameDiagnostics() {
	for _, d := range ciimage.ImageNameDiagnostics("Postgres:15", ciimage.RoleServiceWithAlias) {
		fmt.Println(d.Severity, d.Message)
	}
	for _, d := range ciimage.ImageNameDiagnostics("$SERVICE_IMAGE", ciimage.RoleService) {
		fmt.Println(d.Severity, d.Message)
	}
	// Output:
	// error invalid service image name: Postgres:15
	// warning image name "$SERVICE_IMAGE" contains a variable that was not expanded, so it was not checked
}

func ExampleSplitAliases() {
	fmt.Printf("%q\n", ciimage.SplitAliases("db, pg db"))
	// Output:
	// ["db" "pg" "db"]
}

func ExampleAssignAliases() {
	assignments := ciimage.AssignAliases([]ciimage.AliasRequest{
		{Name: "postgres:15", Alias: "db, pg db"},
		{Name: "postgres:16"},
	})
	for _, a := range assignments {
		fmt.Println(a.Started, a.Aliases, a.Skipped, a.NetworkAliases)
	}
	for _, d := range assignments[1].Diagnostics {
		fmt.Println(d.Message)
	}
	// Output:
	// true [postgres db pg] [db] [postgres db pg db]
	// false [] [postgres] []
	// Skipping alias "postgres" for service "postgres:16" (services[1]): alias is already in use by another service.
	// service "postgres:16" (services[1]) is not started: every alias in its list (postgres) is already in use by an earlier service. The runner reports no error and the job runs without this service.
}

func ExampleHostnameDiagnostics() {
	fmt.Println(len(ciimage.HostnameDiagnostics("localhost.localstack.cloud", "localstack/localstack:4", true)))
	for _, d := range ciimage.HostnameDiagnostics("alpine_edge", "alpine:edge", true) {
		fmt.Println(d.Message)
	}
	// Output:
	// 0
	// alias "alpine_edge" works on the Docker executor, but it is not a valid RFC 1123 host name (it contains '_'), so HTTP clients and URI parsers may reject it as a host; and it is not a DNS-1123 subdomain (lowercase letters, digits, "-" and "."), so on the Kubernetes executor the job fails with "provided host alias alpine_edge for service alpine:edge is invalid DNS".
}
