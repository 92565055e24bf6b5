#!/usr/bin/env python3
"""A scripted Modbus RTU device on a serial line (a socat pty), for RTUFaultTests.

It reads each read request (8 bytes: unit, function 1-4, address, count, CRC) with pyserial,
parses it with pymodbus's RTU framer, and answers as the control file says *at that moment*
(the test rewrites the file between polls, so one device can go bad and recover):

  {"default": {"mode": "good"}, "7": {"mode": "silent"}}      per unit id, else "default"

Modes:
  good       a correct reply built by pymodbus (ReadXResponse + FramerRTU): register at
             address a of unit u = (a * 7 + u) & 0xFFFF; bit at address a = 1 when a % 3 == 0
  silent     no reply at all (a dead device, a cut wire)
  bad_crc    the good reply with its CRC's last byte inverted
  wrong_baud the good reply as a UART at {"read_at"} baud receives it when the device sends
             at {"sent_at"} baud (8N1 bit stream resampled): what a wrong baud rate produces
  raw        exactly the bytes {"hex"} (frames written by hand in the test, CRC included)

With {"silent_from": A} a rule answers no request for address A or above (a device that stops
answering part-way through a poll).

Every request is logged as one line "REQ unit=U fc=F addr=A count=N mode=M reply=HEX", so the
test can count what reached the device.
"""
import argparse
import json
import math
import sys

import serial
from pymodbus.framer import FramerRTU
from pymodbus.pdu import DecodePDU
from pymodbus.pdu.bit_message import ReadCoilsResponse, ReadDiscreteInputsResponse
from pymodbus.pdu.register_message import ReadHoldingRegistersResponse, ReadInputRegistersResponse

RESPONSES = {1: ReadCoilsResponse, 2: ReadDiscreteInputsResponse, 3: ReadHoldingRegistersResponse, 4: ReadInputRegistersResponse}


def good_reply(framer: FramerRTU, unit: int, fc: int, address: int, count: int) -> bytes:
    cls = RESPONSES[fc]
    if fc in (1, 2):
        pdu = cls(bits=[(address + i) % 3 == 0 for i in range(count)], dev_id=unit)
    else:
        pdu = cls(registers=[((address + i) * 7 + unit) & 0xFFFF for i in range(count)], dev_id=unit)
    return framer.buildFrame(pdu)


def resample(frame: bytes, sent_at: int, read_at: int) -> bytes:
    """The bytes a UART at read_at baud delivers for frame sent at sent_at baud (8N1, idle high)."""
    line = []
    for byte in frame:
        line += [0] + [(byte >> i) & 1 for i in range(8)] + [1]
    ts, tr = 1.0 / sent_at, 1.0 / read_at

    def level(t: float) -> int:
        i = math.floor(t / ts)
        return line[i] if 0 <= i < len(line) else 1

    out = bytearray()
    t = 0.0
    end = len(line) * ts
    while t < end:
        # The next falling edge (1 -> 0) at a sent-bit boundary at or after t.
        j = max(0, math.ceil(t / ts - 1e-9))
        while j < len(line) and not (line[j] == 0 and (j == 0 or line[j - 1] == 1)):
            j += 1
        if j >= len(line):
            break
        edge = j * ts
        if level(edge + 0.5 * tr) != 0:  # false start
            t = edge + 0.5 * tr
            continue
        value = 0
        for k in range(8):
            value |= level(edge + (k + 1.5) * tr) << k
        out.append(value)  # delivered even on a framing error, as many adapters do
        t = edge + 9.5 * tr
    return bytes(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serial", required=True)
    parser.add_argument("--baud", type=int, default=19200)
    parser.add_argument("--control", required=True)
    args = parser.parse_args()
    port = serial.Serial(args.serial, args.baud, timeout=None)
    requests = FramerRTU(DecodePDU(True))
    replies = FramerRTU(DecodePDU(False))
    print("rtu_script_peer: READY", flush=True)
    while True:
        first = port.read(1)
        port.timeout = 0.5
        rest = port.read(7)
        port.timeout = None
        data = first + rest
        used, pdu = requests.handleFrame(data, 0, 0) if len(data) == 8 else (0, None)
        if pdu is None or pdu.function_code not in RESPONSES:
            print(f"BAD REQUEST {data.hex()}", flush=True)
            port.reset_input_buffer()
            continue
        unit, fc, address, count = pdu.dev_id, pdu.function_code, pdu.address, pdu.count
        try:
            with open(args.control, encoding="utf-8") as f:
                control = json.load(f)
        except (OSError, ValueError) as e:
            print(f"control file unreadable: {e}", flush=True)
            control = {}
        rule = control.get(str(unit), control.get("default", {"mode": "good"}))
        mode = rule.get("mode", "good")
        if "silent_from" in rule and address >= rule["silent_from"]:
            mode = "silent"
        reply = b""
        if mode == "good":
            reply = good_reply(replies, unit, fc, address, count)
        elif mode == "bad_crc":
            reply = bytearray(good_reply(replies, unit, fc, address, count))
            reply[-1] ^= 0xFF
            reply = bytes(reply)
        elif mode == "wrong_baud":
            reply = resample(good_reply(replies, unit, fc, address, count), rule["sent_at"], rule["read_at"])
        elif mode == "raw":
            reply = bytes.fromhex(rule["hex"])
        elif mode != "silent":
            print(f"unknown mode {mode}", flush=True)
        print(f"REQ unit={unit} fc={fc} addr={address} count={count} mode={mode} reply={reply.hex()}", flush=True)
        if reply:
            port.write(reply)
            port.flush()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
