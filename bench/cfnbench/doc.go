// Package cfnbench holds benchmarks of the CloudFormation source on a
// generated corpus (see bench/gen -cfn). They run only when the environment
// variable MQGUARD_BENCH_CFN names the corpus directory, as an absolute path
// (tests run in the package directory):
//
//	go run ./bench/gen -out /tmp/cfn -files 0 -cfn 1000
//	MQGUARD_BENCH_CFN=/tmp/cfn go test -run '^$' -bench . ./bench/cfnbench/
package cfnbench
