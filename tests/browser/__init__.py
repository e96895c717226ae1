"""End-to-end tests that drive headless Chromium against a live Careloop server."""
