#!/usr/bin/env python3
"""A Modbus TCP peer that answers with malformed replies, to drive the real libmodbus path
of the driver into each reply error class (SensorDriverTests/ModbusPeerTests).

Per unit id of the request:
  1  byte count and data for one register more than asked   (quantity mismatch)
  2  the reply comes from unit 99                             (unit mismatch)
  3  the reply carries function 03 for a function 04 request  (function mismatch)
  4  exception 0x0B, gateway target failed to respond         (exception)
  5  a correct reply: every register reads 215                (control)
"""
import argparse
import asyncio
import struct


def body_for(unit: int, fc: int, count: int) -> tuple[int, bytes]:
    words = lambda n: struct.pack(">" + "H" * n, *([215] * n))
    if unit == 1:
        return unit, bytes([fc, (count + 1) * 2]) + words(count + 1)
    if unit == 2:
        return 99, bytes([fc, count * 2]) + words(count)
    if unit == 3:
        return unit, bytes([3 if fc != 3 else 4, count * 2]) + words(count)
    if unit == 4:
        return unit, bytes([fc | 0x80, 0x0B])
    return unit, bytes([fc, count * 2]) + words(count)


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            tid, _pid, length, unit = struct.unpack(">HHHB", await reader.readexactly(7))
            pdu = await reader.readexactly(length - 1)
            fc = pdu[0]
            _addr, count = struct.unpack(">HH", pdu[1:5])
            reply_unit, body = body_for(unit, fc, count)
            writer.write(struct.pack(">HHHB", tid, 0, len(body) + 1, reply_unit) + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionResetError):
        pass
    finally:
        writer.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = await asyncio.start_server(handle, "127.0.0.1", args.port)
    print("malformed_peer: READY", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
