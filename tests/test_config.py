import re
from pathlib import Path
from typing import get_args

import pytest
from pydantic import BaseModel

from bot.app.config import ConfigProblem, Settings, load_settings

EXAMPLE = Path(__file__).parent.parent / "config.example.toml"


def test_the_example_config_is_valid_and_documents_the_defaults():
    settings = load_settings(EXAMPLE, environ={})
    assert settings.timezone == "Europe/London"
    assert settings.drafts.expire_after_hours == 24
    assert settings.telegram.mode == "polling" and settings.slack is None
    assert settings.keys.file == (EXAMPLE.parent / "nearmiss.keys").resolve()
    assert settings.database.url == f"sqlite+aiosqlite:///{(EXAMPLE.parent / 'nearmiss.db').resolve()}"


def test_the_example_config_names_every_key():
    example = EXAMPLE.read_text()
    for section, field in Settings.model_fields.items():
        model = next((a for a in (*get_args(field.annotation), field.annotation) if _is_section(a)), None)
        keys = model.model_fields if model else {section: None}
        # Each key is named as `key =` (perhaps commented out), or as a table of its own.
        missing = [key for key in keys if not re.search(rf"^#?[ #]*({key} =|\[{section}\.{key}\])", example, re.M)]
        assert not missing, f"config.example.toml does not name [{section}] {missing}"


def _is_section(annotation) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def test_secrets_from_the_environment_win_and_never_switch_a_platform_on():
    settings = load_settings(
        EXAMPLE,
        environ={
            "NEARMISS_TELEGRAM_TOKEN": "123:from-env",
            "NEARMISS_SLACK_BOT_TOKEN": "xoxb-from-env",
        },
    )
    assert settings.telegram.token.get_secret_value() == "123:from-env"
    assert "from-env" not in repr(settings)
    assert settings.slack is None


def test_a_telegram_base_url_without_its_bot_path_is_refused_at_start(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        '[telegram]\ntoken = "1:a"\nbase_url = "http://127.0.0.1:8081"\n[[teams]]\nid = "a"\nname = "A"\n'
    )
    with pytest.raises(ConfigProblem, match="base_url must end in /bot"):
        load_settings(config, environ={})
    config.write_text(config.read_text().replace(":8081", ":8081/bot"))
    assert load_settings(config, environ={}).telegram.base_url == "http://127.0.0.1:8081/bot"


def test_slack_mode_needs_its_own_secret(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[slack]\nbot_token = "xoxb-1"\nmode = "http"\n[[teams]]\nid = "a"\nname = "A"\n')
    with pytest.raises(ConfigProblem, match="http mode needs signing_secret"):
        load_settings(config, environ={})
    assert load_settings(config, environ={"NEARMISS_SLACK_SIGNING_SECRET": "s"}).slack.mode == "http"


@pytest.mark.parametrize(
    ("lists", "complaint"),
    [
        ('where = [{code = "a", label = "A"}, {code = "a", label = "B"}]', "each code may appear once"),
        ("who = [" + ", ".join(f'{{code = "c{i}", label = "C{i}"}}' for i in range(22)) + "]", "at most 21 options"),
    ],
)
def test_answer_lists_are_checked(tmp_path, lists, complaint):
    config = tmp_path / "config.toml"
    config.write_text(f'[lists]\n{lists}\n[[teams]]\nid = "a"\nname = "A"\n')
    with pytest.raises(ConfigProblem, match=complaint):
        load_settings(config, environ={})


def test_the_database_pool_size_is_kept_when_paths_are_resolved(tmp_path):
    config = tmp_path / "nearmiss.toml"
    config.write_text(
        '[database]\nurl = "postgresql+asyncpg://nearmiss@db.example/nearmiss"\npool_size = 5\n\n'
        '[[teams]]\nid = "north"\nname = "North"\n'
    )
    settings = load_settings(config, environ={})
    assert settings.database.pool_size == 5
    assert settings.database.url == "postgresql+asyncpg://nearmiss@db.example/nearmiss"


def test_every_key_may_come_from_the_environment_by_its_section_and_name():
    settings = load_settings(
        EXAMPLE,
        environ={
            "NEARMISS_DIGEST__CRON": "30 8 * * fri",
            "NEARMISS_SCHEDULER__TAKEOVER_SECONDS": "3",
            "NEARMISS_OPS__PORT": "9102",
            "NEARMISS_LOGGING__FORMAT": "json",
            "NEARMISS_TIMEZONE": "Europe/Dublin",
            "NEARMISS_LISTS__WHERE": '[{"code": "hub", "label": "Family hub"}]',
            "NEARMISS_SLACK__BOT_TOKEN": "xoxb-env",  # a section's own names switch it on
            "NEARMISS_SLACK__MODE": "http",
            "NEARMISS_SLACK__SIGNING_SECRET": "signing",
            "NEARMISS_TEST_POSTGRES_URL": "not a key of nearmiss's",
        },
    )
    assert settings.digest.cron == "30 8 * * fri" and settings.scheduler.takeover_seconds == 3
    assert settings.ops.port == 9102 and settings.logging.format == "json"
    assert settings.timezone == "Europe/Dublin"
    assert [option.code for option in settings.lists.where] == ["hub"]
    assert settings.slack.mode == "http" and settings.slack.bot_token.get_secret_value() == "xoxb-env"


def test_secrets_come_from_files_named_in_the_environment_or_as_systemd_credentials(tmp_path):
    token = tmp_path / "slack-token"
    token.write_text("xoxb-from-file\n")
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "NEARMISS_TELEGRAM_TOKEN").write_text("123:from-credential")
    (credentials / "nearmiss.keys").write_text("not read: only NEARMISS_ names are variables")
    config = tmp_path / "config.toml"
    config.write_text('[telegram]\n[slack]\napp_token = "xapp-1"\n[[teams]]\nid = "a"\nname = "A"\n')
    settings = load_settings(
        config,
        environ={
            "NEARMISS_SLACK__BOT_TOKEN_FILE": str(token),
            "CREDENTIALS_DIRECTORY": str(credentials),
            "NEARMISS_KEY_FILE": str(credentials / "nearmiss.keys"),  # a key's value, not a file to read
        },
    )
    assert settings.slack.bot_token.get_secret_value() == "xoxb-from-file"
    assert settings.telegram.token.get_secret_value() == "123:from-credential"
    assert settings.keys.file == credentials / "nearmiss.keys"


@pytest.mark.parametrize(
    ("environ", "complaint"),
    [
        ({"NEARMISS_DIGEST__CRON": "every monday"}, "digest.cron: Value error, 'every monday' is not a cron"),
        ({"NEARMISS_DIGEST__CRONN": "0 9 * * mon"}, "digest.cronn: Extra inputs are not permitted"),
        ({"NEARMISS_LISTS__WHERE": "[{code"}, "NEARMISS_LISTS__WHERE is not valid JSON"),
        (
            {"NEARMISS_TELEGRAM__TOKEN_FILE": "/nonexistent/token"},
            "cannot read /nonexistent/token for NEARMISS_TELEGRAM__TOKEN",
        ),
    ],
)
def test_a_bad_variable_is_explained_in_one_line(environ, complaint):
    with pytest.raises(ConfigProblem, match=re.escape(complaint)):
        load_settings(EXAMPLE, environ=environ)
