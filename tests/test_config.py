from pathlib import Path

import pytest

from bot.app.config import ConfigProblem, load_settings

EXAMPLE = Path(__file__).parent.parent / "config.example.toml"


def test_the_example_config_is_valid_and_documents_the_defaults():
    settings = load_settings(EXAMPLE, environ={})
    assert settings.timezone == "Europe/London"
    assert settings.drafts.expire_after_hours == 24
    assert settings.telegram.mode == "polling" and settings.slack is None
    assert settings.keys.file == (EXAMPLE.parent / "nearmiss.keys").resolve()
    assert settings.database.url == f"sqlite+aiosqlite:///{(EXAMPLE.parent / 'nearmiss.db').resolve()}"


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
