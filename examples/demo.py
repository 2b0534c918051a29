"""Demo placeholder: prints every Kalshi endpoint the SDK knows.

The scripted session against the local exchange simulator replaces this once kalshi-testing's
simulator lands.
"""

from __future__ import annotations

from kalshi_auth import DEMO, PRODUCTION


def main() -> None:
    print("kalshi-sdk demo (placeholder until the local exchange simulator lands): endpoint table\n")
    for env in (PRODUCTION, DEMO):
        print(f"[{env.name}]")
        for surface, address in env.table():
            print(f"  {surface:<26} {address}")
        print()


if __name__ == "__main__":
    main()
