# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""usbdevices from sysfs, with GLPI Agent's rules."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _usb

RAW = {
    "devices": {
        "usb1": {"idVendor": "1d6b", "idProduct": "0002", "bDeviceClass": "09", "bmAttributes": "e0", "product": "EHCI Host Controller"},
        "1-1": {"idVendor": "8087", "idProduct": "0024", "bDeviceClass": "09", "bmAttributes": "e0"},
        "1-1.2": {"idVendor": "046d", "idProduct": "c52b", "bDeviceClass": "00", "bmAttributes": "a0", "manufacturer": "Logitech",
                  "product": "USB Receiver", "bInterfaceClass": "03", "bInterfaceSubClass": "01"},
        "1-1.4": {"idVendor": "0bda", "idProduct": "0129", "bDeviceClass": "ff", "bmAttributes": "80", "serial": "20100201396000000",
                  "manufacturer": "Generic", "product": "USB2.0-CRW", "bInterfaceClass": "ff", "bInterfaceSubClass": "06"},
        "2-1": {"idVendor": "05e3", "idProduct": "0610", "bDeviceClass": "09", "bmAttributes": "a0", "serial": "1:2"},
        "1-1.5": {"idVendor": "0a5c", "idProduct": "5800", "serial": "0123", "product": "5880"},
    },
    "names": {"046d": "Logitech, Inc.", "046d:c52b": "Unifying Receiver"},
}


def test_hubs_of_the_machine_are_not_devices_and_names_prefer_the_id_list():
    assert _usb.usb_devices(RAW) == [
        {"vendorid": "046d", "productid": "c52b", "manufacturer": "Logitech, Inc.", "name": "Unifying Receiver",
         "caption": "Unifying Receiver", "class": "3", "subclass": "1"},
        {"vendorid": "0bda", "productid": "0129", "manufacturer": "Generic", "name": "USB2.0-CRW", "serial": "20100201396000000",
         "class": "255", "subclass": "6"},
        # A bus-powered hub is a device; a serial with colons is an internal id, one under 5 characters is no serial.
        {"vendorid": "0a5c", "productid": "5800", "name": "5880"},
        {"vendorid": "05e3", "productid": "0610"},
    ]


_USB_ATTRIBUTES = st.sampled_from(["idVendor", "idProduct", "bmAttributes", "serial", "bDeviceClass", "bInterfaceClass"])


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=8), st.dictionaries(_USB_ATTRIBUTES, st.text(max_size=8))))
def test_never_raises(devices):
    assert isinstance(_usb.usb_devices({"devices": devices, "names": {}}), list)
