"""The checks: one file per topic, mirroring solutions/ and exercises/.

Each file is a pytest module run by the judge (never by the framework's own test suite).
"""
