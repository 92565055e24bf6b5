#!/usr/bin/env python3
"""Modbus test peer for SensorDriverTests (pymodbus 3.16, SimData/SimDevice).

Serves the register tables of the shipped Modbus profiles, one unit id per
profile, behind one TCP "gateway" (--port) or on one RTU bus (--serial DEVICE):

  unit 1  vaisala-hmt330            (holding registers)
  unit 2  lighthouse-remote         (input registers + holding 40023)
  unit 3  generic-corrosion-monitor (input registers)
  unit 4  generic-th-probe          (all probes fitted)
  unit 5  generic-th-probe          (RH and dew point probes not fitted: 0x8000)
  unit 6  generic-di-module         (discrete inputs)
  unit 7  generic-th-probe          answers DEVICE_BUSY to the first 2 requests
                                    of every 3, then the values
  unit 20 vaisala-hmt330            fault status 0513 = 0 (errors active)
  unit 21 vaisala-hmt330            humidity float is a quiet NaN (0x7FC00000)
  unit 22 generic-th-probe          over range 0x7FFF, under range 0x8001, RH 100.5 %
Any other unit id gets no answer at all (a dead device behind the gateway).
Addresses outside the tables answer ILLEGAL_ADDRESS.

The expected engineering values live in Tests/SensorDriverTests/PeerValues.swift;
keep the two files in step.
"""
import argparse
import asyncio
import os
import signal
import struct
import sys

from pymodbus.constants import ExcCodes
from pymodbus.server import ModbusSerialServer, ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice


def regs(fmt: str, value) -> list[int]:
    """Big-endian registers (ABCD) of one value packed with struct format fmt."""
    raw = struct.pack(">" + fmt, value)
    return [int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2)]


def cdab(words: list[int]) -> list[int]:
    """Least-significant word first, for a 2-register value."""
    return [words[1], words[0]]


def block(address: int, words: list[int]) -> SimData:
    return SimData(address=address, values=words, datatype=DataType.REGISTERS)


def bits(address: int, values: list[bool]) -> SimData:
    return SimData(address=address, values=values, datatype=DataType.BITS)


# pymodbus refuses an empty block list: tables a device lacks get one far-away
# filler entry that no profile reads.
FILLER = 60000


def device(unit, coils=None, discrete=None, holding=None, inputs=None, action=None):
    return SimDevice(
        id=unit,
        simdata=(
            coils or [bits(FILLER, [False] * 16)],
            discrete or [bits(FILLER, [False] * 16)],
            holding or [block(FILLER, [0])],
            inputs or [block(FILLER, [0])],
        ),
        action=action,
    )


def vaisala(unit: int, fault_status: int = 1, humidity_words=None) -> SimDevice:
    # 1-based manual addresses 0001.. -> protocol 0..; floats CDAB. The 16-bit signed copies at
    # 0257.. as the device has them (the profile does not read them); status 0513 fault status
    # (1 = no errors), 0514 online status (1 = online data available).
    rh = humidity_words if humidity_words is not None else cdab(regs("f", 45.5))
    low = rh + cdab(regs("f", 22.25)) + [0, 0] + cdab(regs("f", -3.5)) + [0, 0]
    high = regs("h", 4550) + regs("h", 2225) + [0] + regs("h", -350)
    status = [fault_status, 1]
    return device(unit, holding=[block(0, low), block(256, high), block(512, status)])


def lighthouse(unit: int) -> SimDevice:
    counts = [105230, 40210, 9120, 2210, 810, 120, 40, 9]
    # 30005-06 is the record's location (signed), not a volume; status: laser alert + malfunction.
    words = regs("I", 1764403200) + regs("I", 60) + regs("i", -2) + regs("I", 0b001001)
    for c in counts:
        words += regs("I", c)
    holding = [0] * 22 + [283]
    return device(unit, inputs=[block(0, words)], holding=[block(0, holding)])


def corrosion(unit: int) -> SimDevice:
    words = regs("f", 123.5) + regs("f", 87.25) + [0b10] + regs("h", 231) + regs("H", 455)
    return device(unit, inputs=[block(0, words)])


def th_probe(unit: int, fitted: bool, action=None, words=None) -> SimDevice:
    missing = 0x8000
    words = words or [215, 455 if fitted else missing, 94 if fitted else missing]
    return device(unit, inputs=[block(0, words)], action=action)


def di_module(unit: int) -> SimDevice:
    states = [False, True, False, True, False] + [False] * 11
    return device(unit, discrete=[bits(0, states)])


def busy_every_third():
    calls = {"n": 0}

    async def action(function_code, start_address, address, count, current, set_values):
        calls["n"] += 1
        if calls["n"] % 3 != 0:
            return ExcCodes.DEVICE_BUSY
        return None

    return action


def devices() -> list[SimDevice]:
    return [
        vaisala(1), lighthouse(2), corrosion(3), th_probe(4, True),
        th_probe(5, False), di_module(6), th_probe(7, True, busy_every_third()),
        vaisala(20, fault_status=0), vaisala(21, humidity_words=[0x0000, 0x7FC0]),
        th_probe(22, True, words=[0x7FFF, 1005, 0x8001]),
    ]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, help="TCP port on 127.0.0.1")
    parser.add_argument("--serial", help="serial device for RTU")
    parser.add_argument("--baud", type=int, default=19200)
    args = parser.parse_args()
    if args.serial:
        server = ModbusSerialServer(
            devices(), port=args.serial, baudrate=args.baud, parity="N",
            stopbits=1, bytesize=8, ignore_missing_devices=True)
    else:
        server = ModbusTcpServer(
            devices(), address=("127.0.0.1", args.port), ignore_missing_devices=True)
    await server.serve_forever(background=True)
    # pymodbus's server swallows SIGTERM; the test harnesses stop peers with it, by PID.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, lambda: os._exit(0))
    print("modbus_peer: READY", flush=True)
    await server.serving


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
