import type * as pulumi from "@pulumi/pulumi";

/**
 * Options for the children of a component that took over resources its own parent used to create
 * directly: the alias keeps each child's former URN, so a deployed stack updates in place instead
 * of replacing them. Children keep the logical names they had.
 */
export function adoptedChildOptions(
    component: pulumi.ComponentResource,
    opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.CustomResourceOptions {
    // The former parent by URN, not as a Resource: the SDK resolves an alias with `output(alias)`,
    // which would walk the whole parent resource's object graph for unknowns, once per child.
    return { parent: component, aliases: [{ parent: opts?.parent?.urn }] };
}
