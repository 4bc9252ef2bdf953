#!/usr/bin/python3
"""The web view in a real browser during a replayed drive (docs/web.md).

Plays the demo drive (tools/demo-vehicle drive) through `cabind --replay --web` in real
time, opens the page in Debian's headless Chromium through chromedriver and selenium, and
checks what an integrator would look for: the driver once the key fob identified her,
Identity.KeyFob turning stale once the fob stops, the seat-memory recall blocked by the
seat_motion interlock with its reason, and a screenshot that is not blank.

usage: browser_test.py --cabind BIN --source DIR --work DIR [--screenshot PNG]
"""
import argparse
import os
import re
import signal
import struct
import subprocess
import sys
import time
import zlib

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.support.ui import WebDriverWait


def start_replay(args, log):
    stderr_path = os.path.join(args.work, 'cabind.err')
    stderr = open(stderr_path, 'w')
    process = subprocess.Popen(
        [args.cabind, '--config', os.path.join(args.source, 'config/demo/vehicle.yaml'),
         '--replay', log, '--web', '127.0.0.1:0', '--tz', 'UTC'],
        stdout=open(os.path.join(args.work, 'trail.txt'), 'w'), stderr=stderr)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with open(stderr_path) as f:
            found = re.search(r'web view on (http://\S+)', f.read())
        if found:
            return process, found.group(1)
        if process.poll() is not None:
            sys.exit('cabind stopped: ' + open(stderr_path).read())
        time.sleep(0.05)
    process.kill()
    sys.exit('cabind did not print its URL')


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = '/usr/bin/chromium'
    for flag in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                 '--window-size=1400,1400'):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=options)


# Read in one script call: the page re-renders its tables five times a second, so element
# handles kept between calls go stale.
ROW = """
const tr = [...document.querySelectorAll('#' + arguments[0] + ' tbody tr')]
    .find((r) => r.dataset.name === arguments[1]);
return tr ? {validity: tr.dataset.validity || '', cells: [...tr.cells].map((c) => c.textContent),
             text: tr.textContent} : null;
"""


def row(driver, table, name):
    return driver.execute_script(ROW, table, name)


def wait(driver, what, condition, timeout=40):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1,
                             ignored_exceptions=(StaleElementReferenceException,)).until(condition)
    except TimeoutException:
        sys.exit(f'the page never showed {what}; driver: {driver.find_element(By.ID, "driver").text}')


def png_pixels(data):
    """(width, height, rows of bytes, bytes per pixel) of an 8-bit RGB or RGBA PNG."""
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat = 8, b''
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            width, height, depth, colour = struct.unpack('>IIBB', body[:10])
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    assert depth == 8 and colour in (2, 6), f'unexpected PNG format {depth}/{colour}'
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    previous = bytearray(stride)
    rows = []
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        previous = line
    return width, height, rows, bpp


def check_not_blank(path):
    width, height, rows, bpp = png_pixels(open(path, 'rb').read())
    colours, dark = set(), 0
    for y in range(0, height, 3):
        line = rows[y]
        for x in range(0, width, 3):
            pixel = bytes(line[x * bpp:x * bpp + 3])
            colours.add(pixel)
            if sum(pixel) < 300:
                dark += 1
    print(f'screenshot {width}x{height}: {len(colours)} distinct colours, {dark} dark samples')
    if len(colours) < 20 or dark < 500:
        sys.exit(f'the screenshot {path} looks blank')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--cabind', required=True)
    parser.add_argument('--source', required=True)
    parser.add_argument('--work', required=True)
    parser.add_argument('--screenshot')
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    log = os.path.join(args.work, 'drive.log')
    subprocess.run(['/usr/bin/python3', os.path.join(args.source, 'tools/demo-vehicle'), 'drive', log],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The browser first: it starts slowly on a loaded machine, and the drive (in real time)
    # begins with the replay; the fob is valid for its first seconds only.
    driver = browser()
    replay, url = start_replay(args, log)
    try:
        driver.get(url)
        wait(driver, 'a live connection',
             lambda d: d.find_element(By.ID, 'connection').text == 'live', 15)
        # 1 s into the drive Alice unlocks with her key fob (id 3).
        wait(driver, 'the key fob valid', lambda d: (r := row(d, 'signals', 'Identity.KeyFob'))
             and r.get('validity') == 'valid')
        shown = wait(driver, 'Alice as the driver',
                     lambda d: 'Alice' in d.find_element(By.ID, 'driver').text and
                     d.find_element(By.ID, 'driver').text)
        assert 'by key_fob' in shown, shown
        print('driver:', shown)
        # The fob stops sending: its signal turns stale (its timeout passes).
        wait(driver, 'the key fob stale', lambda d: (r := row(d, 'signals', 'Identity.KeyFob'))
             and r.get('validity') == 'stale')
        print('Identity.KeyFob turned stale')
        # 18 s in, Bob presses seat-memory 2 while the car still rolls: the recall is blocked.
        recall = 'Vehicle.Cabin.Seat.Row1.DriverSide.MemoryRecall'
        text = wait(driver, 'the seat recall blocked with its reason',
                    lambda d: (r := row(d, 'outputs', recall)) and
                    r['cells'][1] == 'blocked' and ' '.join(r['cells']))
        assert 'by interlock seat_motion' in text and 'Vehicle.Speed=' in text, text
        print('blocked:', text)
        interlock = wait(driver, 'the interlock blocked with its reason',
                         lambda d: (r := row(d, 'interlocks', 'seat_motion')) and
                         r['cells'][1] == 'blocked' and ' '.join(r['cells']))
        assert 'Vehicle.Speed' in interlock or 'CurrentGear' in interlock, interlock
        # The timeline lists the blocked decision, and the filter finds it.
        driver.find_element(By.ID, 'filter').send_keys('seat_motion')
        items = wait(driver, 'the filtered timeline',
                     lambda d: d.find_elements(By.CSS_SELECTOR, '#timeline li'))
        assert all('seat_motion' in li.text for li in items), [li.text for li in items]
        driver.find_element(By.ID, 'filter').clear()
        driver.find_element(By.ID, 'filter').send_keys(' ')
        # Show a chart of the speed for the picture.
        driver.execute_script('[...document.querySelectorAll("#signals tbody tr")]'
                              '.find((r) => r.dataset.name === "Vehicle.Speed").click()')
        wait(driver, 'the chart title', lambda d: d.find_element(By.ID, 'chart-name').get_attribute('textContent') ==
             'Vehicle.Speed', 5)
        shot = args.screenshot or os.path.join(args.work, 'web-view.png')
        wait(driver, 'chart points', lambda d: d.execute_script(
            'return document.getElementById("chart").getContext("2d")'
            '.getImageData(0,0,560,180).data.some((v,i)=>i%4==2&&v>200&&v<240)'), 10)
        driver.execute_script('document.activeElement.blur(); window.scrollTo(0, 0)')
        driver.save_screenshot(shot)
        check_not_blank(shot)
    finally:
        driver.quit()
        replay.send_signal(signal.SIGTERM)
        try:
            replay.wait(10)
        except subprocess.TimeoutExpired:
            replay.kill()
            sys.exit('cabind did not stop on SIGTERM')
    if replay.returncode != 0:
        sys.exit(f'cabind exited with {replay.returncode}')
    print('ok')


main()
