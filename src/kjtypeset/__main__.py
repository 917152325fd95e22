"""python -m kjtypeset …"""

from .cli import run

run()
