"""Staff's one-time-code keys are encrypted at rest: the column never holds the key, sign-in
still works, a migration encrypts keys stored before, and the key comes from config."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import create_engine, text

from engage import crypto, migrate
from engage.app import create_app
from engage.config import ConfigError
from tests import factories


def stored_secret(db, user) -> str:
    return db.execute(
        text("select totp_secret from users where id = :id"), {"id": user.id}
    ).scalar()


def test_the_stored_column_is_not_the_secret_and_sign_in_works(app, client, db):
    officer = factories.user("officer")
    stored = stored_secret(db, officer)
    assert stored
    assert factories.TOTP_SECRET not in stored
    with app.app_context():
        assert crypto.decrypt(stored) == factories.TOTP_SECRET
    response = factories.sign_in(client, officer)
    assert response.headers["Location"] == "/manage/"
    assert client.get("/manage/").status_code == 200


def test_each_write_encrypts_afresh(db):
    first, second = factories.user("officer"), factories.user("admin")
    # The same key, stored twice, gives two different ciphertexts (Fernet's random IV).
    assert stored_secret(db, first) != stored_secret(db, second)


def test_a_configured_key_encrypts_and_the_derived_key_still_decrypts(tmp_path):
    key = Fernet.generate_key().decode()
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "s" * 40, "ENCRYPTION_KEY": key}
    )
    with app.app_context():
        token = crypto.encrypt("JBSWY3DPEHPK3PXP")
        assert Fernet(key.encode()).decrypt(token.encode()) == b"JBSWY3DPEHPK3PXP"
        old = Fernet(crypto.derived_key("s" * 40)).encrypt(b"OLDSECRET").decode()
        assert crypto.decrypt(old) == "OLDSECRET"
        stranger = Fernet(Fernet.generate_key()).encrypt(b"x").decode()
        with pytest.raises(crypto.DecryptionError, match="ENGAGE_ENCRYPTION_KEY"):
            crypto.decrypt(stranger)


def test_a_malformed_key_stops_the_start_with_a_plain_message(tmp_path):
    with pytest.raises(ConfigError, match="key 1 is not a Fernet key"):
        create_app({"INSTANCE_PATH": str(tmp_path), "ENCRYPTION_KEY": "not-a-key"})


def test_the_migration_encrypts_keys_stored_before_and_downgrading_restores_them(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/m.sqlite")
    try:
        migrate.upgrade(engine, "b7d41e2c9a10")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "insert into users (email, name, password_hash, role, active, "
                    "session_version, totp_secret, recovery_codes, created_at) values "
                    "('o@example.org', 'O', 'x', 'officer', 1, 1, :s, '[]', CURRENT_TIMESTAMP)"
                ),
                {"s": factories.TOTP_SECRET},
            )
        migrate.upgrade(engine)
        migrate.upgrade(engine)  # nothing left to do: values stay as they are
        with engine.connect() as connection:
            stored = connection.execute(text("select totp_secret from users")).scalar()
        assert stored != factories.TOTP_SECRET
        cipher: MultiFernet = crypto.cipher()
        assert crypto.decrypt(stored, cipher) == factories.TOTP_SECRET
        migrate.downgrade(engine, "b7d41e2c9a10")
        with engine.connect() as connection:
            restored = connection.execute(text("select totp_secret from users")).scalar()
        assert restored == factories.TOTP_SECRET
    finally:
        engine.dispose()
