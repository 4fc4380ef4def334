"""An MCP client on the official Python SDK, authorized by its own
client-credentials providers. It starts from the MCP server's URL and the
client's credentials only, and prints one JSON line per step.

    MCP_URL=http://127.0.0.1:8081/mcp MCP_AUTH=client_secret_basic \
    MCP_CLIENT_ID=... MCP_CLIENT_SECRET=... python client.py
    MCP_AUTH=private_key_jwt MCP_PRIVATE_KEY="$(cat key.pem)" ...

Exit status 0 when echo works and write_note is refused.
"""

import asyncio
import json
import os
import sys

import httpx2
from mcp import ClientSession
from mcp.client.auth.extensions.client_credentials import (
    ClientCredentialsOAuthProvider,
    PrivateKeyJWTOAuthProvider,
    SignedJWTParameters,
)
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken


class MemoryStorage:
    """Tokens kept for this run only."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


def out(line: dict) -> None:
    print(json.dumps(line), flush=True)


def provider(url: str):
    method = os.environ["MCP_AUTH"]
    client_id = os.environ["MCP_CLIENT_ID"]
    issuer = os.environ["MCP_ISSUER"]
    if method == "private_key_jwt":
        signer = SignedJWTParameters(
            issuer=client_id,
            subject=client_id,
            signing_key=os.environ["MCP_PRIVATE_KEY"],
            signing_algorithm="ES256",
        )
        return PrivateKeyJWTOAuthProvider(
            server_url=url,
            storage=MemoryStorage(),
            client_id=client_id,
            assertion_provider=signer.create_assertion_provider(),
            scope="mcp:read",
            issuer=issuer,
        )
    return ClientCredentialsOAuthProvider(
        server_url=url,
        storage=MemoryStorage(),
        client_id=client_id,
        client_secret=os.environ["MCP_CLIENT_SECRET"],
        token_endpoint_auth_method=method,
        scope="mcp:read",
        issuer=issuer,
    )


async def main() -> int:
    url = os.environ["MCP_URL"]
    echoed = False
    try:
        async with httpx2.AsyncClient(auth=provider(url), timeout=30) as http:
            async with streamable_http_client(url, http_client=http) as (read, write):
                async with ClientSession(read, write) as session:
                    init = await session.initialize()
                    caps = init.capabilities
                    extensions = (caps.extensions or {}) if caps else {}
                    out({"step": "initialize", "server": init.server_info.name, "extensions": sorted(extensions)})
                    tools = await session.list_tools()
                    out({"step": "tools/list", "tools": [t.name for t in tools.tools]})
                    echo = await session.call_tool("echo", {"text": "hello from Python"})
                    out({"step": "echo", "text": echo.content[0].text})
                    echoed = True
                    result = await session.call_tool("write_note", {"text": "not allowed"})
                    out({"step": "write_note", "error": None, "is_error": bool(result.is_error)})
                    return 1
    except BaseException as e:  # noqa: BLE001 - the SDK's refusal, raised from its task group
        if not echoed:
            raise
        # The 403 insufficient_scope makes the SDK ask for the missing scope
        # (step-up); the token server refuses it, and the SDK raises.
        out({"step": "write_note", "error": f"{type(e).__name__}: {leaf_messages(e)}"})
        return 0


def leaf_messages(e: BaseException) -> str:
    if isinstance(e, BaseExceptionGroup):
        return "; ".join(leaf_messages(inner) for inner in e.exceptions)
    return f"{type(e).__name__}: {e}"


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
