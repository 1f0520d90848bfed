"""`followup llm settings`: the local language model that may polish drafts (off by default)."""

from __future__ import annotations

import json

import click

from followup.cli.app import get_app


@click.group()
def llm() -> None:
    """The local model that may polish drafts (off by default).

    `followup draft ID --polish` sends one draft and that person's own context to an
    OpenAI-compatible chat server you run (llama.cpp server, Ollama, LM Studio), and shows the
    rewrite only if it keeps every fact and reads like no form letter.

    \b
    Example:
      followup llm settings --url http://127.0.0.1:8080 --model qwen2.5-7b-instruct
    """


@llm.command("settings")
@click.option("--url", help="The server, e.g. http://127.0.0.1:8080 (/v1/chat/completions).")
@click.option("--model", help="The model's name as the server knows it.")
@click.option(
    "--api-key-env",
    metavar="VAR",
    help="An environment variable holding an API key, if the server wants one ('' clears it).",
)
@click.option(
    "--timeout", type=float, metavar="SECONDS", help="How long to wait for a rewrite (60)."
)
@click.option("--on", "switch", flag_value="on", default=None, help="Turn polishing on.")
@click.option("--off", "switch", flag_value="off", help="Turn polishing off (keeps the rest).")
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
def settings_command(
    url: str | None,
    model: str | None,
    api_key_env: str | None,
    timeout: float | None,
    switch: str | None,
    as_json: bool,
) -> None:
    """Show or change where drafts are sent to be polished.

    Giving --url or --model turns polishing on; --off turns it off and nothing is sent. The
    settings live in llm.toml in the config folder; an API key is never stored, only the name
    of the variable that holds it. A server that is not on this computer gets a warning: the
    point is a local model, and your notes about the person go to it.

    \b
    Examples:
      followup llm settings
      followup llm settings --url http://127.0.0.1:11434 --model llama3.1:8b
      followup llm settings --off
    """
    from followup.drafts.polish import is_loopback
    from followup.services import polish

    app = get_app()
    config_dir = app.config.config_dir
    enabled = None if switch is None else switch == "on"
    given = (url, model, api_key_env, timeout, enabled)
    if any(v is not None for v in given):
        current = polish.save_settings(
            config_dir,
            url=url,
            model=model,
            api_key_env=api_key_env,
            timeout=timeout,
            enabled=enabled,
        )
    else:
        current = polish.load_settings(config_dir)
    if current.url and not is_loopback(current.url):
        click.echo(
            f"warning: {current.url} is not this computer: polishing sends your notes about "
            "the person there",
            err=True,
        )
    if as_json:
        click.echo(json.dumps(current.as_dict(), indent=2))
        return
    click.echo(f"polish       {'on' if current.on else 'off'}")
    click.echo(f"url          {current.url or '-'}")
    click.echo(f"model        {current.model or '-'}")
    click.echo(f"api-key-env  {current.api_key_env or '-'}")
    click.echo(f"timeout      {current.timeout:g} s")
    click.echo(f"file         {polish.settings_path(config_dir)}")
