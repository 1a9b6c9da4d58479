"""Stand-ins for tests, benchmarks and development: servers that imitate outside services, the
crash loop, the browser harness and the test builders. Product code never imports them (a test
in standins/tests/ checks); see README.md here for what each one imitates and who uses it."""
