// Package ci holds what runs mqguard in other people's pipelines: the GitLab CI template in
// gitlab/, beside the repository root's .pre-commit-hooks.yaml and action.yml (files that
// pre-commit and GitHub Actions look for at the root). It has no code; its tests check that
// each file is what its tool requires and that their scripts pass mqguard's arguments and
// exit code through.
package ci
