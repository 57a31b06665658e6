/** A page of sorted names and whether more follow (tags of a repository, repositories of the catalog). */
export interface Page {
  items: string[];
  more: boolean;
}
