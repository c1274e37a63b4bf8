from __future__ import annotations

import pytest

from tokenlab.core.errors import KeyFormatError
from tokenlab.core.keys import ApiKey, generate_id, generate_secret, looks_like_api_key


def test_parse_and_mask() -> None:
    key = ApiKey.parse("  appId.keyId:s3cr3t\n")
    assert (key.app_id, key.key_id, key.name) == ("appId", "keyId", "appId.keyId")
    assert key.masked() == "appId.keyId:••••"
    assert "s3cr3t" not in repr(key) and "s3cr3t" not in str(key) and "s3cr3t" not in f"{key}"
    assert key.basic_auth_header() == "Basic YXBwSWQua2V5SWQ6czNjcjN0"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "key.empty"),
        ("appId.keyId", "key.no_secret"),
        ("justsomething", "key.no_colon"),
        ("appId.keyId:", "key.empty_secret"),
        ("appId.keyId:se.cret", "key.bad_secret"),
        ("appId.keyId:a:b", "key.bad_secret"),
        ("appIdkeyId:secret", "key.bad_name"),
        ("a.b.c:secret", "key.bad_name"),
        (".keyId:secret", "key.bad_name"),
        ("app Id.keyId:secret", "key.whitespace"),
    ],
)
def test_malformed_keys_name_the_problem(text: str, code: str) -> None:
    with pytest.raises(KeyFormatError) as info:
        ApiKey.parse(text)
    assert info.value.code == code
    assert info.value.ably_code == 40005
    assert info.value.fix


def test_errors_never_echo_the_secret() -> None:
    with pytest.raises(KeyFormatError) as info:
        ApiKey.parse("a.b.c:topsecretvalue")
    assert "topsecretvalue" not in str(info.value)


def test_generated_material_is_ably_shaped() -> None:
    secret = generate_secret()
    assert len(secret) >= 32 and not set(secret) & set(".: \t\n")
    key = ApiKey.parse(f"{generate_id()}.{generate_id()}:{secret}")
    assert looks_like_api_key(key.full())
    assert not looks_like_api_key("eyJhbGciOi.J9.x")


def test_generated_ids_never_start_like_a_command_line_option() -> None:
    # every first byte value: '-' and '_' sit at the end of the id alphabet (62 and 63)
    ids = [generate_id(6, rand=lambda n, b=b: bytes([b] * n)) for b in range(256)]
    assert all(i[0].isalnum() and len(i) == 6 for i in ids)
    assert any("-" in i for i in ids), "the rest of the id keeps the full alphabet"
