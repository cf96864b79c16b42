#!/usr/bin/python3
# The landmark editor (tools/landmark-editor.html) in headless Chromium, driven by
# Selenium: opens an exemplar and its .lm.txt, drags a point, undoes, nudges another
# with the arrow keys, saves and compares the file with the expected one; then opens the
# image alone, places the mean face in a box, saves, and checks that faceblit-style takes
# both files. Skips (77), saying why, without chromium, chromedriver or python3-selenium.
# Usage: test-landmark-editor.py EDITOR.html FACEBLIT_STYLE IMAGE.png LANDMARKS.lm.txt
# SPDX-License-Identifier: LGPL-2.1-or-later
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
HEADER = '# 68 facial landmarks, dlib/iBUG-300W order, "x y" in pixels'


def skip(reason):
    print("SKIP: " + reason)
    sys.exit(77)


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def ok(message):
    print("ok - " + message)


try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
except ImportError:
    skip("python3-selenium is not installed (tools/install-deps installs it)")
for program, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
    if not os.access(program, os.X_OK):
        skip(f"{program} is missing: install Debian's {package} (tools/install-deps)")

editor, faceblit_style, image_source, landmarks_source = sys.argv[1:5]


def read_points(path):
    """The points of a .lm.txt, by the rules of common/faces/fb-landmarks.c."""
    points = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                x, y = line.split()
                points.append((float(x), float(y)))
    return points


def js_number(value):
    """JavaScript's String(number) for the plain decimals of pixel coordinates: both
    write the shortest digits that read back as the same double."""
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def js_round(value):
    """The editor's rounding of moved points to 1/100 px (Math.round)."""
    return math.floor(value * 100 + 0.5) / 100


def file_text(points):
    return HEADER + "\n" + "".join(f"{js_number(x)} {js_number(y)}\n" for x, y in points)


def wait_for(condition, what, timeout=20):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    fail("timed out waiting for " + what)


def downloaded(folder, name):
    path = os.path.join(folder, name)

    def done():
        files = os.listdir(folder)
        return path if name in files and not any(f.endswith(".crdownload") for f in files) \
            else None
    return wait_for(done, f"the download of {name} (in {folder}: {os.listdir(folder)})")


def check_tool_takes(landmarks, image):
    run = subprocess.run([faceblit_style, "--landmarks", landmarks, image],
                         capture_output=True, text=True)
    lines = [l for l in run.stdout.splitlines() if l.strip()]
    if run.returncode != 0 or len(lines) != 68:
        fail(f"faceblit-style --landmarks {landmarks}: exit {run.returncode}, "
             f"{len(lines)} points printed; {run.stderr.strip()}")


tmp = tempfile.mkdtemp(prefix="faceblit-editor-")
try:
    image = os.path.join(tmp, "drawing.png")
    landmarks = os.path.join(tmp, "drawing-points.lm.txt")
    shutil.copyfile(image_source, image)
    shutil.copyfile(landmarks_source, landmarks)
    bad_landmarks = os.path.join(tmp, "bad.lm.txt")
    with open(bad_landmarks, "w") as f:
        f.write("# a comment\n12 34\n\n56 seven\n")
    downloads = os.path.join(tmp, "downloads")
    os.mkdir(downloads)

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1200,900",
                     f"--user-data-dir={tmp}/profile"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {
        "download.default_directory": downloads, "download.prompt_for_download": False})
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    except Exception as error:  # a chromium that cannot start here is no editor bug
        skip(f"headless chromium does not start: {str(error).splitlines()[0]}")
    try:
        driver.execute_cdp_cmd("Page.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": downloads})
        page = "file://" + os.path.abspath(editor)
        driver.get(page)
        status = driver.find_element(By.ID, "status")

        def to_viewport(point):
            """Where an image point is in the window, in whole CSS pixels."""
            s = driver.execute_script(
                "const r = document.getElementById('canvas').getBoundingClientRect();"
                "const s = landmarkEditor.toScreen({x: arguments[0], y: arguments[1]});"
                "return [r.left + s.x, r.top + s.y];", point[0], point[1])
            return round(s[0]), round(s[1])

        def drag(start, end):
            actions = ActionBuilder(driver)
            actions.pointer_action.move_to_location(*start).pointer_down() \
                .move_to_location((start[0] + end[0]) // 2, (start[1] + end[1]) // 2) \
                .move_to_location(*end).pointer_up()
            actions.perform()

        def click(at):
            actions = ActionBuilder(driver)
            actions.pointer_action.move_to_location(*at).pointer_down().pointer_up()
            actions.perform()

        def points():
            return [(p["x"], p["y"]) for p in driver.execute_script(
                "return landmarkEditor.points()")]

        # A malformed file: a clear message naming the file and the line.
        driver.find_element(By.ID, "landmarks-file").send_keys(bad_landmarks)
        wait_for(lambda: "line 4" in status.text, "the error for bad.lm.txt")
        if "bad.lm.txt" not in status.text or "error" not in status.get_attribute("class"):
            fail("the error for a malformed file: " + status.text)
        ok("a malformed .lm.txt is refused, naming its line: " + status.text)

        # An image and its landmarks.
        original = read_points(landmarks)
        driver.find_element(By.ID, "image-file").send_keys(image)
        driver.find_element(By.ID, "landmarks-file").send_keys(landmarks)
        wait_for(lambda: "68 points" in status.text, "the landmarks to load")
        if points() != original:
            fail("the loaded points differ from the file's")
        ok("loads an image and its .lm.txt: " + status.text)

        zoom = driver.execute_script(
            "return landmarkEditor.toScreen({x: 1, y: 0}).x"
            " - landmarkEditor.toScreen({x: 0, y: 0}).x")
        start = to_viewport(original[8])
        drag(start, (start[0] + 30, start[1] + 20))
        moved = points()
        expected = (original[8][0] + 30 / zoom, original[8][1] + 20 / zoom)
        if abs(moved[8][0] - expected[0]) > 0.006 or abs(moved[8][1] - expected[1]) > 0.006 \
                or moved[:8] + moved[9:] != original[:8] + original[9:]:
            fail(f"dragging point 8 by 30,20 px at zoom {zoom:.3f}: it is at {moved[8]}, "
                 f"expected {expected}, and no other point may move")
        ok(f"drags point 8 from {original[8]} to {moved[8]}")

        ActionChains(driver).key_down(Keys.CONTROL).send_keys("z").key_up(Keys.CONTROL) \
            .perform()
        if points() != original:
            fail("Ctrl+Z did not bring point 8 back: " + status.text)
        ok("Ctrl+Z undoes the drag")

        click(to_viewport(original[30]))
        wait_for(lambda: status.text.startswith("Point 30 "), "point 30 to be selected")
        ActionChains(driver).send_keys(Keys.ARROW_RIGHT * 3 + Keys.ARROW_UP * 2).perform()
        x, y = original[30]
        for step in range(3):
            x = js_round(x + 1)
        for step in range(2):
            y = js_round(y - 1)
        expected_points = original[:30] + [(x, y)] + original[31:]
        driver.find_element(By.ID, "save").click()
        saved = downloaded(downloads, "drawing-points.lm.txt")
        with open(saved) as f:
            text = f.read()
        if text != file_text(expected_points):
            fail(f"the saved file differs from the expected one:\n{text}")
        check_tool_takes(saved, image)
        ok("moves point 30 by +3,-2 px with the arrow keys and saves exactly the expected "
           "file, which faceblit-style takes")

        # The image alone: the mean face in a box.
        driver.get(page)
        status = driver.find_element(By.ID, "status")
        driver.find_element(By.ID, "image-file").send_keys(image)
        wait_for(lambda: "drag a box" in status.text, "the prompt to place the mean face")
        box = (200, 250, 560, 700)
        drag(to_viewport(box[:2]), to_viewport(box[2:]))
        wait_for(lambda: status.text.startswith("The mean face"), "the mean face")
        mean = points()
        bounds = (min(p[0] for p in mean), min(p[1] for p in mean),
                  max(p[0] for p in mean), max(p[1] for p in mean))
        if len(mean) != 68 or any(abs(b - e) > 1 / zoom + 0.01 for b, e in zip(bounds, box)):
            fail(f"the mean face spans {bounds}, not the box {box}")
        driver.find_element(By.ID, "save").click()
        saved = downloaded(downloads, "drawing.lm.txt")
        with open(saved) as f:
            first_line = f.readline().rstrip("\n")
        if first_line != HEADER or read_points(saved) != mean:
            fail("the saved mean face does not parse back to the editor's points")
        check_tool_takes(saved, image)
        ok(f"places the mean face in the box {box} (it spans {bounds}) and saves it; "
           "faceblit-style takes the file")
    except Exception:
        # what the page said when the driver failed, beside the driver's story
        traceback.print_exc()
        fail("the browser session failed; the editor's status line read: "
             + driver.execute_script("return document.getElementById('status').textContent"))
    finally:
        driver.quit()
finally:
    shutil.rmtree(tmp, ignore_errors=True)
