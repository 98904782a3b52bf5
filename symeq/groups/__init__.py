"""Finite groups acting on input and output spaces: exact actions, a catalog, files."""

from symeq.groups.action import GroupAction
from symeq.groups.catalog import catalog_group, group_from_dict, group_from_spec, load_group

__all__ = ["GroupAction", "catalog_group", "group_from_dict", "group_from_spec", "load_group"]
