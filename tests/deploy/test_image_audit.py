"""The claims target's reading of pip-audit: vulnerabilities fail it with their fixes, an
unreachable vulnerability service is said to be one (never taken for a clean audit)."""

from scripts.image_audit import summary


def test_known_vulnerabilities_are_named_with_their_fixes():
    report = {"dependencies": [
        {"name": "werkzeug", "version": "2.3.8", "vulns": [
            {"id": "PYSEC-1", "fix_versions": ["3.0.1"]}]},
        {"name": "baqylau", "version": "0.1.0", "skip_reason": "not on PyPI"}]}
    code, line = summary(report, "")
    assert code == 2 and "werkzeug 2.3.8: PYSEC-1 (fixed in 3.0.1)" in line


def test_nothing_audited_is_not_a_clean_audit():
    report = {"dependencies": [
        {"name": name, "version": "1", "skip_reason": "Dependency not found on PyPI: x"}
        for name in ("nameko", "kombu")]}
    code, line = summary(report, "")
    assert code == 1 and "nothing audited of 2 packages" in line


def test_a_clean_audit_names_what_it_skipped():
    report = {"dependencies": [{"name": "kombu", "version": "5.7.0", "vulns": []},
                               {"name": "baqylau", "version": "0.1.0", "skip_reason": "local"}]}
    assert summary(report, "") == (0, "1 packages audited, no known vulnerabilities "
                                      "(skipped: baqylau)")
